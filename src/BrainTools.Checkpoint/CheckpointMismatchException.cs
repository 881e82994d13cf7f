namespace BrainTools.Checkpoint;

/// <summary>
/// Thrown under <see cref="Mismatch.Error"/> when the saved state does not fit the template, with braintools'
/// message word for word (<c>Array shape mismatch: expected (2, 2), got (3, 2) at path ./a/w</c>) and the path
/// in <see cref="CheckpointException.TreePath"/>.
/// </summary>
public sealed class CheckpointMismatchException : CheckpointException
{
    /// <summary>Creates the exception for a complete message and the tree path it names.</summary>
    /// <param name="message">The message, ending with <c>at path {treePath}</c>.</param>
    /// <param name="treePath">Where in the tree (<c>.</c> is the root).</param>
    /// <param name="filePath">The checkpoint file being loaded, when there is one (it is not part of the message).</param>
    public CheckpointMismatchException(string message, string treePath, string? filePath = null)
        : base(message, filePath, treePath)
    {
    }
}
