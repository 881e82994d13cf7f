namespace BrainTools.Checkpoint.Azure;

/// <summary>The service refused the credentials (HTTP 401 or 403: a wrong account key, an expired SAS token, a missing role).</summary>
public sealed class BlobCheckpointAccessDeniedException : BlobCheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, naming the blob.</param>
    /// <param name="blobUri">The blob (or container), without its query.</param>
    /// <param name="operation">What was being done.</param>
    /// <param name="innerException">The SDK's error.</param>
    public BlobCheckpointAccessDeniedException(string message, Uri blobUri, string operation, Exception? innerException = null)
        : base(message, blobUri, operation, innerException)
    {
    }
}
