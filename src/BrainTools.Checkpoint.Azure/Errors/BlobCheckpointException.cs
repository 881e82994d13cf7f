using Azure;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// A checkpoint operation on a blob failed. The message names the blob URL (without its query, so no SAS token
/// leaks into logs) and what failed; <see cref="Exception.InnerException"/> is the SDK's error. Subclasses tell
/// apart the failures a caller may want to handle: <see cref="BlobCheckpointNotFoundException"/>,
/// <see cref="BlobCheckpointConflictException"/>, <see cref="BlobCheckpointAccessDeniedException"/> and
/// <see cref="BlobCheckpointQuotaException"/>. Transient faults (connection resets, 503) are retried by the
/// client's retry policy first (<see cref="MsgpackBlob.CreateClientOptions"/>); this is thrown once it gives up.
/// </summary>
public class BlobCheckpointException : CheckpointException
{
    /// <summary>Creates an exception about a blob.</summary>
    /// <param name="message">The complete message, naming the blob.</param>
    /// <param name="blobUri">The blob (or container) the operation addressed, without its query.</param>
    /// <param name="operation">What was being done: <c>save</c>, <c>load</c>, <c>commit the block list of</c>, ...</param>
    /// <param name="innerException">The SDK's error, when there is one.</param>
    public BlobCheckpointException(string message, Uri blobUri, string operation, Exception? innerException = null)
        : base(message, blobUri.ToString(), null, innerException)
    {
        BlobUri = blobUri;
        Operation = operation;
        if (innerException is RequestFailedException failed)
        {
            Status = failed.Status;
            ErrorCode = failed.ErrorCode;
        }
    }

    /// <summary>The blob (or container) the operation addressed, without its query.</summary>
    public Uri BlobUri { get; }

    /// <summary>What was being done when it failed.</summary>
    public string Operation { get; }

    /// <summary>The HTTP status the service answered, or 0 when no answer came (the service could not be reached).</summary>
    public int Status { get; }

    /// <summary>The service's error code (<c>BlobNotFound</c>, <c>ConditionNotMet</c>, ...), when it sent one.</summary>
    public string? ErrorCode { get; }
}
