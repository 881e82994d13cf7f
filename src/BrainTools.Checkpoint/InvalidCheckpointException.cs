namespace BrainTools.Checkpoint;

/// <summary>
/// Thrown when data is not a valid checkpoint: truncated, corrupt, hostile (lengths past the end, nesting
/// past the limit) or holding values this format cannot hold. The message names the file, the reason and the
/// tree path where decoding stopped.
/// </summary>
public sealed class InvalidCheckpointException : CheckpointException
{
    /// <summary>Creates an exception for a reason found at a tree path of a file.</summary>
    /// <param name="reason">What is wrong, without the file or path.</param>
    /// <param name="filePath">The file, or null for in-memory data.</param>
    /// <param name="treePath">Where in the tree, <c>.</c> for the root, or null.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidCheckpointException(string reason, string? filePath = null, string? treePath = null, Exception? innerException = null)
        : base(Compose(reason, filePath, treePath), filePath, treePath, innerException)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception for a reason found at a byte offset of the data.</summary>
    internal InvalidCheckpointException(string reason, string? filePath, string? treePath, long? byteOffset, Exception? innerException = null)
        : this(reason, filePath, treePath, innerException)
    {
        ByteOffset = byteOffset;
    }

    /// <summary>What is wrong, without the file or path.</summary>
    public string Reason { get; }

    /// <summary>
    /// Where in the data the reader stopped: the absolute offset (from the start of the file, stream or bytes) of the
    /// value that is wrong, or of the bad byte of a string; null when the error is not about one place.
    /// </summary>
    public long? ByteOffset { get; }

    /// <summary>The same error, naming <paramref name="filePath"/>.</summary>
    internal InvalidCheckpointException WithFile(string filePath) => new(Reason, filePath, TreePath, ByteOffset, InnerException);

    private static string Compose(string reason, string? filePath, string? treePath)
    {
        string where = treePath is null ? string.Empty : $" at path {treePath}";
        return filePath is null ? $"Invalid checkpoint: {reason}{where}" : $"Invalid checkpoint {filePath}: {reason}{where}";
    }
}
