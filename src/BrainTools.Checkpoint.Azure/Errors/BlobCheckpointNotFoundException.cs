namespace BrainTools.Checkpoint.Azure;

/// <summary>The container or the blob does not exist (HTTP 404: `ContainerNotFound`, `BlobNotFound`).</summary>
public sealed class BlobCheckpointNotFoundException : BlobCheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, naming the blob.</param>
    /// <param name="blobUri">The blob (or container), without its query.</param>
    /// <param name="operation">What was being done.</param>
    /// <param name="innerException">The SDK's error.</param>
    public BlobCheckpointNotFoundException(string message, Uri blobUri, string operation, Exception? innerException = null)
        : base(message, blobUri, operation, innerException)
    {
    }
}
