using Azure;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Blobs.Models;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// Positional reads of one version of a blob: each <see cref="ReadAt(long, Span{byte})"/> is one ranged
/// download (<c>Range</c> plus <c>If-Match</c> the ETag seen at open), so a blob replaced while it is read
/// fails with <see cref="BlobCheckpointConflictException"/> instead of mixing two versions. This is the read
/// half of the storage seam: what a lazy reader over any source (file, blob) calls.
/// </summary>
/// <remarks>Thread-safe: reads may run in parallel. <see cref="RequestCount"/> counts every request, the open's included.</remarks>
public sealed class BlobRangeReader
{
    private readonly BlobBaseClient blob;
    private long requests;

    private BlobRangeReader(BlobBaseClient blob, long length, ETag etag)
    {
        this.blob = blob;
        BlobUri = BlobErrors.WithoutQuery(blob.Uri);
        Length = length;
        ETag = etag;
        requests = 1;
    }

    /// <summary>The blob, without its query.</summary>
    public Uri BlobUri { get; }

    /// <summary>The length of the version being read, in bytes.</summary>
    public long Length { get; }

    /// <summary>The version being read.</summary>
    public ETag ETag { get; }

    /// <summary>The requests made so far: one for the open, one per read.</summary>
    public long RequestCount => Interlocked.Read(ref requests);

    /// <summary>Opens the current version of <paramref name="blob"/> for reading: one request (its properties).</summary>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    /// <exception cref="BlobCheckpointException">The service refused or could not be reached; see the subclasses.</exception>
    public static async Task<BlobRangeReader> OpenAsync(BlobBaseClient blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            Response<BlobProperties> properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BlobRangeReader(blob, properties.Value.ContentLength, properties.Value.ETag);
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, blob.Uri, "open the checkpoint blob");
        }
    }

    /// <summary>Reads bytes at <paramref name="offset"/> into <paramref name="destination"/> in one request.</summary>
    /// <returns>The bytes read: all of <paramref name="destination"/>, or fewer at the end of the blob.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or past the end.</exception>
    /// <exception cref="BlobCheckpointConflictException">The blob was replaced since it was opened.</exception>
    /// <exception cref="BlobCheckpointException">The read failed after the client's retries.</exception>
    public int ReadAt(long offset, Span<byte> destination)
    {
        int count = Clamp(offset, destination.Length);
        if (count == 0)
        {
            return 0;
        }

        Interlocked.Increment(ref requests);
        try
        {
            Response<BlobDownloadStreamingResult> response = blob.DownloadStreaming(Options(offset, count));
            using Stream content = response.Value.Content;
            content.ReadExactly(destination[..count]);
            return count;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e) || e is EndOfStreamException)
        {
            throw Failed(e, offset, count);
        }
    }

    /// <inheritdoc cref="ReadAt(long, Span{byte})"/>
    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        int count = Clamp(offset, destination.Length);
        if (count == 0)
        {
            return 0;
        }

        Interlocked.Increment(ref requests);
        try
        {
            Response<BlobDownloadStreamingResult> response = await blob.DownloadStreamingAsync(Options(offset, count), cancellationToken).ConfigureAwait(false);
            await using Stream content = response.Value.Content;
            await content.ReadExactlyAsync(destination[..count], cancellationToken).ConfigureAwait(false);
            return count;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e) || e is EndOfStreamException)
        {
            throw Failed(e, offset, count);
        }
    }

    private int Clamp(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        return (int)Math.Min(length, Length - offset);
    }

    private BlobDownloadOptions Options(long offset, int count) => new()
    {
        Range = new HttpRange(offset, count),
        Conditions = new BlobRequestConditions { IfMatch = ETag },
    };

    private BlobCheckpointException Failed(Exception e, long offset, int count)
    {
        if (e is RequestFailedException { Status: 412 })
        {
            return new BlobCheckpointConflictException(
                $"Cannot read bytes {offset}..{offset + count} of {BlobUri}: the blob was replaced since it was opened (version {ETag}).",
                BlobUri, "read a range of", e);
        }

        if (e is EndOfStreamException)
        {
            return new BlobCheckpointException(
                $"Cannot read bytes {offset}..{offset + count} of {BlobUri}: the service sent fewer bytes than asked.", BlobUri, "read a range of", e);
        }

        return BlobErrors.Translate(e, BlobUri, $"read bytes {offset}..{offset + count} of");
    }
}
