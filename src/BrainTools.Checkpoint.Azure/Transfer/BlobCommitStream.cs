using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// A write-only stream into a block blob that appears only when <see cref="CommitAsync"/> commits the block
/// list, all at once or not at all. Written bytes are cut into blocks of <see cref="BlobSaveOptions.BlockSize"/>,
/// each staged (<c>Put Block</c>) as soon as it is full, several in flight; a write waits while
/// <see cref="BlobSaveOptions.MaxBlocksInMemory"/> buffers are taken, so memory stays bounded whatever the size.
/// Disposing without a commit abandons the save: the staged blocks are never part of the blob and the service
/// discards them (at the next commit of that blob, or after a week), so the blob keeps its previous version.
/// </summary>
/// <remarks>
/// Not thread-safe: one writer at a time, as for any stream. Block ids carry a per-save random id, so saves to
/// the same blob from several processes never mix their blocks. This is the write half of the storage seam: a
/// target that is begun, written as a stream and committed.
/// </remarks>
public sealed class BlobCommitStream : Stream
{
    private readonly BlockBlobClient blob;
    private readonly Uri uri;
    private readonly int blockSize;
    private readonly int maxBuffers;
    private readonly BlobRequestConditions? commitConditions;
    private readonly CancellationToken cancellation;
    private readonly string saveId = Guid.NewGuid().ToString("N");
    private readonly List<string> blockIds = [];
    private readonly Queue<(Task Upload, byte[] Buffer)> inFlight = new();
    private readonly Stack<byte[]> free = new();
    private readonly XxHash3 hash = new();
    private int allocated;
    private byte[]? current;
    private int filled;
    private long length;
    private bool committed;
    private bool failed;
    private bool disposed;
    private int peakInFlight;

    private BlobCommitStream(BlockBlobClient blob, BlobSaveOptions options, BlobRequestConditions? commitConditions, CancellationToken cancellation)
    {
        this.blob = blob;
        uri = BlobErrors.WithoutQuery(blob.Uri);
        blockSize = options.BlockSize;
        maxBuffers = options.MaxBlocksInMemory;
        this.commitConditions = commitConditions;
        this.cancellation = cancellation;
    }

    /// <summary>The blob, without its query.</summary>
    public Uri BlobUri => uri;

    /// <summary>The most blocks that were being staged at once (for tests and tuning).</summary>
    public int PeakBlocksInFlight => peakInFlight;

    /// <summary>The most block buffers this save held at once; memory is this times the block size.</summary>
    public int BuffersAllocated => allocated;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => !committed && !failed && !disposed;

    /// <summary>The bytes written so far.</summary>
    public override long Length => length;

    /// <inheritdoc/>
    public override long Position
    {
        get => length;
        set => throw new NotSupportedException("A blob commit stream is written front to back.");
    }

    /// <summary>
    /// Begins a save to <paramref name="blob"/>. Unless the condition is <see cref="BlobCommitCondition.Overwrite"/>,
    /// this reads the blob's properties once (one request), so that a save that could never commit fails now,
    /// before any upload, and <see cref="BlobCommitCondition.IfUnchanged"/> knows the version it replaces.
    /// </summary>
    /// <exception cref="BlobCheckpointConflictException">The condition already fails (the blob exists under CreateNew, or has another ETag).</exception>
    /// <exception cref="BlobCheckpointException">The service refused or could not be reached; see the subclasses.</exception>
    public static async Task<BlobCommitStream> OpenAsync(BlockBlobClient blob, BlobSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        options ??= BlobSaveOptions.Default;
        BlobCommitCondition condition = options.Condition;
        ETag? existing = condition.Mode == BlobCommitMode.Overwrite ? null : await CurrentETagAsync(blob, cancellationToken).ConfigureAwait(false);
        Uri uri = BlobErrors.WithoutQuery(blob.Uri);
        BlobRequestConditions? conditions = condition.Mode switch
        {
            BlobCommitMode.Overwrite => null,
            BlobCommitMode.CreateNew when existing is not null => throw Conflict(uri, $"it exists (ETag {existing}) and the save was asked to create it (BlobCommitCondition.CreateNew)"),
            BlobCommitMode.CreateNew => new BlobRequestConditions { IfNoneMatch = ETag.All },
            BlobCommitMode.IfMatch when existing != condition.ETag => throw Conflict(uri, existing is null
                ? $"it does not exist, and the save was asked to replace version {condition.ETag}"
                : $"its version is {existing}, not {condition.ETag} as the save was asked to replace"),
            BlobCommitMode.IfMatch => new BlobRequestConditions { IfMatch = condition.ETag },
            _ => existing is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        return new BlobCommitStream(blob, options, conditions, cancellationToken);
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (committed)
        {
            throw new InvalidOperationException($"The save to {uri} is already committed.");
        }

        if (failed)
        {
            throw new InvalidOperationException($"The save to {uri} already failed; nothing was committed.");
        }

        try
        {
            while (!buffer.IsEmpty)
            {
                current ??= TakeBuffer();
                int n = Math.Min(buffer.Length, blockSize - filled);
                buffer[..n].CopyTo(current.AsSpan(filled));
                hash.Append(buffer[..n]);
                filled += n;
                length += n;
                buffer = buffer[n..];
                if (filled == blockSize)
                {
                    StageCurrent();
                }
            }
        }
        catch
        {
            failed = true;
            throw;
        }
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Does nothing: blocks are staged as they fill, and nothing is visible before <see cref="CommitAsync"/>.</summary>
    public override void Flush()
    {
    }

    /// <summary>
    /// Stages the last block, waits for every block, then commits the block list with the save's condition:
    /// from this moment, and not before, the blob is the new checkpoint.
    /// </summary>
    /// <returns>The committed version: its ETag (for <see cref="BlobCommitCondition.IfMatch"/>) and length.</returns>
    /// <exception cref="BlobCheckpointConflictException">Another writer committed the blob first; nothing of this save was committed.</exception>
    /// <exception cref="BlobCheckpointException">A block or the commit failed after the client's retries; the blob keeps its previous version.</exception>
    public async Task<BlobCheckpointVersion> CommitAsync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (committed)
        {
            throw new InvalidOperationException($"The save to {uri} is already committed.");
        }

        if (failed)
        {
            throw new InvalidOperationException($"The save to {uri} already failed; nothing was committed.");
        }

        try
        {
            if (filled > 0)
            {
                StageCurrent();
            }

            while (inFlight.Count > 0)
            {
                (Task upload, byte[] buffer) = inFlight.Dequeue();
                free.Push(buffer);
                await upload.ConfigureAwait(false);
            }

            var options = new CommitBlockListOptions
            {
                Conditions = commitConditions,
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-msgpack" },
            };
            ETag etag;
            DateTimeOffset lastModified;
            try
            {
                Response<BlobContentInfo> info = await blob.CommitBlockListAsync(blockIds, options, cancellation).ConfigureAwait(false);
                (etag, lastModified) = (info.Value.ETag, info.Value.LastModified);
            }
            catch (Exception e) when (BlobErrors.IsServiceFailure(e))
            {
                BlobCheckpointException error = BlobErrors.Translate(e, uri, "commit the block list of");
                if (error is not BlobCheckpointConflictException || await CommittedByThisSaveAsync().ConfigureAwait(false) is not { } ours)
                {
                    throw error;
                }

                // The client retried a commit whose answer was lost: the first try landed, the retry failed its condition.
                (etag, lastModified) = (ours.ETag, ours.LastModified);
            }

            committed = true;
            return new BlobCheckpointVersion(uri, etag, length, lastModified, Checksum(hash.GetCurrentHashAsUInt64()));
        }
        catch
        {
            failed = true;
            throw;
        }
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A blob commit stream is write-only.");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A blob commit stream is written front to back.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("A blob commit stream is written front to back.");

    /// <summary>Abandons an uncommitted save: waits for the blocks in flight (they are never committed) and lets the buffers go.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            while (inFlight.Count > 0)
            {
                (Task upload, _) = inFlight.Dequeue();
                try
                {
                    upload.GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is BlobCheckpointException or OperationCanceledException)
                {
                    // The save is abandoned; its error was (or will be) reported by the write or commit that failed.
                }
            }

            free.Clear();
            current = null;
            disposed = true;
        }

        base.Dispose(disposing);
    }

    // Whether the blob's committed block list is this save's (its block ids hold this save's id): then a commit that
    // failed its condition had already landed on an earlier try.
    private async Task<BlobProperties?> CommittedByThisSaveAsync()
    {
        try
        {
            Response<BlockList> list = await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellation).ConfigureAwait(false);
            if (!list.Value.CommittedBlocks.Select(block => block.Name).SequenceEqual(blockIds))
            {
                return null;
            }

            return (await blob.GetPropertiesAsync(cancellationToken: cancellation).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            return null; // Unknown: the conflict stands.
        }
    }

    private static async Task<ETag?> CurrentETagAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            Response<BlobProperties> properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return properties.Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != BlobErrorCode.ContainerNotFound.ToString())
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw BlobErrors.Translate(e, blob.Uri, "save a checkpoint to");
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, blob.Uri, "read the properties of");
        }
    }

    /// <summary>The checksum form of the checkpoint manager's manifest (and <c>ckpt verify</c>): <c>xxh3-64:</c> and 16 hex digits.</summary>
    internal static string Checksum(ulong xxh3) => "xxh3-64:" + xxh3.ToString("x16", CultureInfo.InvariantCulture);

    private static BlobCheckpointConflictException Conflict(Uri uri, string why) =>
        new($"Cannot save a checkpoint to {uri}: {why}; nothing was uploaded.", uri, "save a checkpoint to");

    private byte[] TakeBuffer()
    {
        if (free.TryPop(out byte[]? buffer))
        {
            return buffer;
        }

        if (allocated < maxBuffers)
        {
            allocated++;
            return GC.AllocateUninitializedArray<byte>(blockSize);
        }

        // Every buffer is in flight: wait for the oldest block (blocks finish roughly in order) and reuse its buffer.
        (Task upload, byte[] reused) = inFlight.Dequeue();
        upload.GetAwaiter().GetResult();
        return reused;
    }

    private void StageCurrent()
    {
        byte[] buffer = current!;
        int count = filled;
        current = null;
        filled = 0;
        if (blockIds.Count >= 50_000)
        {
            throw new BlobCheckpointQuotaException(
                $"Cannot save a checkpoint to {uri}: it needs more than 50,000 blocks, the service's limit; use a larger BlobSaveOptions.BlockSize.",
                uri, "stage a block of");
        }

        // Same-length ids for every block of a blob, as the service requires: 32 hex digits of the save, 6 of the index.
        string id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{saveId}{blockIds.Count:D6}"));
        blockIds.Add(id);
        inFlight.Enqueue((StageAsync(id, buffer, count), buffer));
        peakInFlight = Math.Max(peakInFlight, inFlight.Count);
    }

    private async Task StageAsync(string id, byte[] buffer, int count)
    {
        try
        {
            using var content = new MemoryStream(buffer, 0, count, writable: false);
            await blob.StageBlockAsync(id, content, options: null, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, uri, "stage a block of");
        }
    }
}
