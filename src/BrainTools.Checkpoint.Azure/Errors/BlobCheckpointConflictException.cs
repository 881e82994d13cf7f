namespace BrainTools.Checkpoint.Azure;

/// <summary>Another writer committed first: the blob was created or replaced since this save looked at it (HTTP 409 `BlobAlreadyExists`, 412 `ConditionNotMet`), or its staged blocks were discarded by another writer's commit (`InvalidBlockList`). Nothing of this save was committed; the other writer's version is intact.</summary>
public sealed class BlobCheckpointConflictException : BlobCheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, naming the blob.</param>
    /// <param name="blobUri">The blob (or container), without its query.</param>
    /// <param name="operation">What was being done.</param>
    /// <param name="innerException">The SDK's error.</param>
    public BlobCheckpointConflictException(string message, Uri blobUri, string operation, Exception? innerException = null)
        : base(message, blobUri, operation, innerException)
    {
    }
}
