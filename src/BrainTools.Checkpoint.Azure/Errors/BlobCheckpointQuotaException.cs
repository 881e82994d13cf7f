namespace BrainTools.Checkpoint.Azure;

/// <summary>The account, the blob or a request hit a service limit: too many blocks, a block or blob too large, or the account's capacity (HTTP 409/413 with `BlockCountExceedsLimit`, `RequestBodyTooLarge`, ...).</summary>
public sealed class BlobCheckpointQuotaException : BlobCheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, naming the blob.</param>
    /// <param name="blobUri">The blob (or container), without its query.</param>
    /// <param name="operation">What was being done.</param>
    /// <param name="innerException">The SDK's error.</param>
    public BlobCheckpointQuotaException(string message, Uri blobUri, string operation, Exception? innerException = null)
        : base(message, blobUri, operation, innerException)
    {
    }
}
