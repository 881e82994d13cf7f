namespace BrainTools.Checkpoint;

/// <summary>
/// The base of the errors this library throws about checkpoints: carries the file and the path in the tree
/// (<c>./layers/0/weights</c>, as braintools writes paths) where the problem is.
/// </summary>
public class CheckpointException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public CheckpointException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception that names the file and the tree path.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="filePath">The checkpoint file, when there is one.</param>
    /// <param name="treePath">The path in the tree, <c>.</c> for the root, when known.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointException(string message, string? filePath, string? treePath, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        TreePath = treePath;
    }

    /// <summary>The checkpoint file, when there is one.</summary>
    public string? FilePath { get; }

    /// <summary>The path in the tree (<c>./a/b</c>; <c>.</c> is the root), when known.</summary>
    public string? TreePath { get; }
}
