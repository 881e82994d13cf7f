using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// One version of a checkpoint blob as an <see cref="ICheckpointSource"/>, for <see cref="Msgpack.Load(ICheckpointSource, MsgpackOptions?)"/>,
/// <see cref="Msgpack.Open(ICheckpointSource, MsgpackOptions?)"/> and <see cref="Msgpack.LoadInto{T}(ICheckpointSource, T, Mismatch, MsgpackOptions?)"/>:
/// the blob's properties are read once, when the source is made (length, ETag), and every <see cref="ReadAt"/> is one
/// ranged download pinned to that ETag (<c>If-Match</c>), so a blob replaced meanwhile fails with a
/// <see cref="BlobCheckpointConflictException"/> instead of mixing two versions.
/// </summary>
/// <remarks>
/// <para>Reads go through the SDK's synchronous API, so the client's retry policy applies to each
/// (<see cref="MsgpackBlob.CreateClientOptions"/>). Callers on an async path run the load off their thread, as
/// <see cref="MsgpackBlob.LoadAsync(BlobBaseClient, BlobLoadOptions?, CancellationToken)"/> does.</para>
/// <para>Thread-safe: reads may run in parallel (up to <see cref="MaxConcurrentReads"/> do, in a full load).
/// <see cref="RequestCount"/> counts the requests this source made (the properties included), not the client's retries.</para>
/// <para>Disposing does nothing to the client, which the caller keeps; reads after it throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class BlobCheckpointSource : ICheckpointSource
{
    private readonly BlobBaseClient blob;
    private readonly CancellationToken cancellationToken;
    private long requests;
    private bool disposed;

    /// <summary>Reads the properties of the current version of <paramref name="blob"/> (one request, synchronous).</summary>
    /// <param name="blob">The checkpoint blob; any client of it (block, append, page) with the caller's credentials.</param>
    /// <param name="options">Read size and concurrency (<see cref="BlobLoadOptions.RangeSize"/>, <see cref="BlobLoadOptions.MaxConcurrency"/>); <see cref="BlobLoadOptions.Default"/> when null.</param>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    /// <exception cref="BlobCheckpointAccessDeniedException">The credentials were refused.</exception>
    /// <exception cref="BlobCheckpointException">Another service failure, after the client's retries.</exception>
    public BlobCheckpointSource(BlobBaseClient blob, BlobLoadOptions? options = null)
        : this(blob, options, Properties(blob, CancellationToken.None), CancellationToken.None)
    {
    }

    private BlobCheckpointSource(BlobBaseClient blob, BlobLoadOptions? options, BlobProperties properties, CancellationToken cancellationToken)
    {
        this.blob = blob;
        this.cancellationToken = cancellationToken;
        options ??= BlobLoadOptions.Default;
        BlobUri = BlobErrors.WithoutQuery(blob.Uri);
        Name = BlobUri.ToString();
        Length = properties.ContentLength;
        ETag = properties.ETag;
        PreferredReadSize = options.RangeSize;
        MaxConcurrentReads = options.MaxConcurrency;
        requests = 1;
    }

    /// <summary>The blob's URL without its query (no SAS token in messages and logs).</summary>
    public string Name { get; }

    /// <summary>The blob's URL without its query.</summary>
    public Uri BlobUri { get; }

    /// <summary>The length of the version being read, in bytes.</summary>
    public long Length { get; }

    /// <summary>The version being read: every read is made <c>If-Match</c> this.</summary>
    public ETag ETag { get; }

    /// <summary>Bytes per ranged download that a read costs anyway (<see cref="BlobLoadOptions.RangeSize"/>, 4 MiB by default).</summary>
    public int PreferredReadSize { get; }

    /// <summary>Ranged downloads in flight in a full load (<see cref="BlobLoadOptions.MaxConcurrency"/>, 8 by default).</summary>
    public int MaxConcurrentReads { get; }

    /// <summary>The requests this source made so far: one for the properties, one per read that asked for bytes.</summary>
    public long RequestCount => Interlocked.Read(ref requests);

    /// <summary>Reads the properties of the current version of <paramref name="blob"/> (one request) without blocking a thread.</summary>
    /// <param name="blob">The checkpoint blob.</param>
    /// <param name="options">Read size and concurrency; <see cref="BlobLoadOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels this request and, later, every read of the source.</param>
    /// <inheritdoc cref="BlobCheckpointSource(BlobBaseClient, BlobLoadOptions?)" path="/exception"/>
    public static async Task<BlobCheckpointSource> OpenAsync(BlobBaseClient blob, BlobLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, blob.Uri, "open the checkpoint blob");
        }

        return new BlobCheckpointSource(blob, options, properties, cancellationToken);
    }

    /// <summary>Reads bytes at <paramref name="offset"/> into <paramref name="destination"/> in one ranged download.</summary>
    /// <returns>The bytes read: all of <paramref name="destination"/>, or fewer at the end of the blob (0 at its end, with no request).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or past the end.</exception>
    /// <exception cref="BlobCheckpointConflictException">The blob was replaced or deleted since the source was made (412 on the pinned version).</exception>
    /// <exception cref="BlobCheckpointException">The read failed after the client's retries, or came back short.</exception>
    /// <exception cref="OperationCanceledException">The token given to <see cref="OpenAsync"/> was cancelled.</exception>
    public int ReadAt(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length);
        int count = (int)Math.Min(destination.Length, Length - offset);
        if (count == 0)
        {
            return 0;
        }

        Interlocked.Increment(ref requests);
        var request = new BlobDownloadOptions
        {
            Range = new HttpRange(offset, count),
            Conditions = new BlobRequestConditions { IfMatch = ETag },
        };
        try
        {
            Response<BlobDownloadStreamingResult> response = blob.DownloadStreaming(request, cancellationToken);
            using Stream content = response.Value.Content;
            content.ReadExactly(destination[..count]);
            return count;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e) || e is EndOfStreamException)
        {
            throw Failed(e, offset, count);
        }
    }

    /// <summary>Marks the source closed; the client is the caller's and stays usable.</summary>
    public void Dispose() => disposed = true;

    private static BlobProperties Properties(BlobBaseClient blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            return blob.GetProperties(cancellationToken: cancellationToken).Value;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, blob.Uri, "open the checkpoint blob");
        }
    }

    private BlobCheckpointException Failed(Exception e, long offset, int count)
    {
        if (e is RequestFailedException { Status: 412 })
        {
            return new BlobCheckpointConflictException(
                $"Cannot read bytes {offset}..{offset + count} of {BlobUri}: the blob was replaced or deleted since it was opened (version {ETag}).",
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
