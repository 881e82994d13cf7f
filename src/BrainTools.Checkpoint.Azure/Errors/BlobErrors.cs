using Azure;
using Azure.Storage.Blobs.Models;

namespace BrainTools.Checkpoint.Azure;

/// <summary>Turns the SDK's failures into this package's typed exceptions: one place decides which error is which.</summary>
internal static class BlobErrors
{
    private static readonly HashSet<string> AuthCodes = new(StringComparer.Ordinal)
    {
        BlobErrorCode.AuthenticationFailed.ToString(),
        BlobErrorCode.AuthorizationFailure.ToString(),
        BlobErrorCode.AuthorizationPermissionMismatch.ToString(),
        BlobErrorCode.AuthorizationProtocolMismatch.ToString(),
        BlobErrorCode.AuthorizationResourceTypeMismatch.ToString(),
        BlobErrorCode.AuthorizationServiceMismatch.ToString(),
        BlobErrorCode.AuthorizationSourceIPMismatch.ToString(),
        BlobErrorCode.InsufficientAccountPermissions.ToString(),
        BlobErrorCode.InvalidAuthenticationInfo.ToString(),
        BlobErrorCode.NoAuthenticationInformation.ToString(),
        BlobErrorCode.AccountIsDisabled.ToString(),
    };

    private static readonly HashSet<string> QuotaCodes = new(StringComparer.Ordinal)
    {
        BlobErrorCode.BlockCountExceedsLimit.ToString(),
        BlobErrorCode.RequestBodyTooLarge.ToString(),
        BlobErrorCode.MaxBlobSizeConditionNotMet.ToString(),
        BlobErrorCode.ContentLengthLargerThanTierLimit.ToString(),
        BlobErrorCode.MetadataTooLarge.ToString(),
        BlobErrorCode.SnapshotCountExceeded.ToString(),
        "AccountLimitExceeded",
        "QuotaExceeded",
    };

    private static readonly HashSet<string> ConflictCodes = new(StringComparer.Ordinal)
    {
        BlobErrorCode.BlobAlreadyExists.ToString(),
        BlobErrorCode.ConditionNotMet.ToString(),
        BlobErrorCode.InvalidBlockList.ToString(),
        BlobErrorCode.LeaseIdMissing.ToString(),
        BlobErrorCode.LeaseIdMismatchWithBlobOperation.ToString(),
    };

    /// <summary>The URL of <paramref name="uri"/> without its query (a SAS token must not reach messages and logs).</summary>
    public static Uri WithoutQuery(Uri uri) =>
        string.IsNullOrEmpty(uri.Query) ? uri : new Uri(uri.GetLeftPart(UriPartial.Path));

    /// <summary>Whether <paramref name="exception"/> is an SDK or transport failure that <see cref="Translate"/> knows.</summary>
    public static bool IsServiceFailure(Exception exception) =>
        exception is RequestFailedException or HttpRequestException or IOException or AggregateException { InnerException: RequestFailedException or HttpRequestException or IOException };

    /// <summary>The typed exception for a failure of <paramref name="operation"/> on <paramref name="uri"/>.</summary>
    /// <param name="exception">What the SDK threw (after its retries).</param>
    /// <param name="uri">The blob or container addressed.</param>
    /// <param name="operation">A verb phrase that completes "... failed while trying to": <c>commit the block list</c>.</param>
    public static BlobCheckpointException Translate(Exception exception, Uri uri, string operation)
    {
        Uri blob = WithoutQuery(uri);
        if (exception is BlobCheckpointException already)
        {
            return already;
        }

        if (exception is not RequestFailedException failed)
        {
            Exception cause = exception is AggregateException { InnerException: { } inner } ? inner : exception;
            return new BlobCheckpointException(
                $"Cannot {operation} {blob}: the service could not be reached after the client's retries ({cause.GetType().Name}: {FirstLine(cause.Message)}).",
                blob, operation, exception);
        }

        string code = failed.ErrorCode ?? string.Empty;
        string detail = string.IsNullOrEmpty(code) ? $"HTTP {failed.Status}" : $"HTTP {failed.Status} {code}";
        if (failed.Status == 0)
        {
            return new BlobCheckpointException(
                $"Cannot {operation} {blob}: the service could not be reached after the client's retries ({FirstLine(failed.Message)}).",
                blob, operation, exception);
        }

        if (code == BlobErrorCode.ContainerNotFound.ToString())
        {
            return new BlobCheckpointNotFoundException($"Cannot {operation} {blob}: the container does not exist ({detail}).", blob, operation, exception);
        }

        if (failed.Status == 404 || code == BlobErrorCode.BlobNotFound.ToString() || code == BlobErrorCode.ResourceNotFound.ToString())
        {
            return new BlobCheckpointNotFoundException($"Cannot {operation} {blob}: checkpoint blob not found ({detail}).", blob, operation, exception);
        }

        if (AuthCodes.Contains(code) || failed.Status is 401 or 403)
        {
            return new BlobCheckpointAccessDeniedException(
                $"Cannot {operation} {blob}: access denied ({detail}); check the account key, SAS token or role assignment.", blob, operation, exception);
        }

        if (QuotaCodes.Contains(code) || failed.Status == 413)
        {
            return new BlobCheckpointQuotaException($"Cannot {operation} {blob}: a service limit was reached ({detail}): {FirstLine(failed.Message)}", blob, operation, exception);
        }

        if (ConflictCodes.Contains(code) || failed.Status == 412)
        {
            return new BlobCheckpointConflictException(
                $"Cannot {operation} {blob}: another writer committed this blob since this save looked at it ({detail}); nothing of this save was committed.",
                blob, operation, exception);
        }

        return new BlobCheckpointException($"Cannot {operation} {blob}: {detail}: {FirstLine(failed.Message)}", blob, operation, exception);
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
