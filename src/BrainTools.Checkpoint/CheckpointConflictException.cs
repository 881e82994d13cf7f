namespace BrainTools.Checkpoint;

/// <summary>
/// A write was refused because its condition failed (<see cref="StoreCondition"/>): the checkpoint exists and may not
/// be replaced, or another writer changed it since it was read (two checkpoint managers on one directory or prefix).
/// Nothing was replaced: what the other writer committed is intact.
/// </summary>
public sealed class CheckpointConflictException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, naming the checkpoint and the condition.</param>
    /// <param name="filePath">The path or URL of the checkpoint (or manifest) whose write was refused.</param>
    /// <param name="innerException">The backend's error, when there is one.</param>
    public CheckpointConflictException(string message, string filePath, Exception? innerException = null)
        : base(message, filePath, null, innerException)
    {
    }
}
