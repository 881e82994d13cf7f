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

    /// <summary>What is wrong, without the file or path.</summary>
    public string Reason { get; }

    /// <summary>The same error, naming <paramref name="filePath"/>.</summary>
    internal InvalidCheckpointException WithFile(string filePath) => new(Reason, filePath, TreePath, InnerException);

    private static string Compose(string reason, string? filePath, string? treePath)
    {
        string where = treePath is null ? string.Empty : $" at path {treePath}";
        return filePath is null ? $"Invalid checkpoint: {reason}{where}" : $"Invalid checkpoint {filePath}: {reason}{where}";
    }
}
