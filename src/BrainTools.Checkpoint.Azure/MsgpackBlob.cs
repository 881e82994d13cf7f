using System.IO.Hashing;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// Saves checkpoints to and loads them from Azure Blob Storage, in the same bytes <see cref="Msgpack.Save(Stream, object?, MsgpackOptions?)"/>
/// writes to a file. A save streams the checkpoint as staged blocks and commits the block list at the end under a
/// <see cref="BlobCommitCondition"/>: the blob is the old or the new checkpoint, never a mix, and a concurrent
/// writer's commit is never overwritten unnoticed. A load downloads the blob by parallel ranged reads, all of
/// one version (<c>If-Match</c>).
/// </summary>
/// <remarks>All members are thread-safe. Clients made with <see cref="CreateClientOptions"/> retry transient faults.</remarks>
public static class MsgpackBlob
{
    /// <summary>Blobs of at least this many bytes are loaded through a staged, mapped file instead of one array.</summary>
    internal const long StagingThreshold = 64L << 20;

    /// <summary>
    /// Client options for checkpoint traffic: exponential retries of transient faults (connection resets,
    /// timeouts, 408, 429, 500, 502, 503, 504), 6 tries from 0.5 s up to 30 s apart, and 5 minutes per try, so a
    /// block of 8 MiB on a slow link is not cut off. Pass them to <c>new BlobServiceClient(connectionString, options)</c>.
    /// </summary>
    public static BlobClientOptions CreateClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromSeconds(0.5);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        options.Retry.NetworkTimeout = TimeSpan.FromMinutes(5);
        return options;
    }

    /// <summary>Saves <paramref name="tree"/> to the blob <paramref name="blobName"/> of <paramref name="container"/>.</summary>
    /// <inheritdoc cref="SaveAsync(BlockBlobClient, object?, BlobSaveOptions?, CancellationToken)"/>
    public static Task<BlobCheckpointVersion> SaveAsync(BlobContainerClient container, string blobName, object? tree, BlobSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        return SaveAsync(container.GetBlockBlobClient(blobName), tree, options, cancellationToken);
    }

    /// <summary>
    /// Saves <paramref name="tree"/> to <paramref name="blob"/>: the checkpoint is written into a
    /// <see cref="BlobCommitStream"/> (blocks staged as they fill, at most <see cref="BlobSaveOptions.MaxBlocksInMemory"/>
    /// in memory) and committed once complete. Until the commit the blob keeps its previous version; a failed or
    /// cancelled save commits nothing.
    /// </summary>
    /// <returns>The committed version (ETag, length).</returns>
    /// <exception cref="BlobCheckpointConflictException">The commit condition failed: another writer got there first. Nothing was committed.</exception>
    /// <exception cref="BlobCheckpointNotFoundException">The container does not exist.</exception>
    /// <exception cref="BlobCheckpointAccessDeniedException">The credentials were refused.</exception>
    /// <exception cref="BlobCheckpointQuotaException">A service limit was reached.</exception>
    /// <exception cref="BlobCheckpointException">Another service failure, after the client's retries.</exception>
    /// <exception cref="CheckpointException">A value of the tree cannot be saved.</exception>
    public static async Task<BlobCheckpointVersion> SaveAsync(BlockBlobClient blob, object? tree, BlobSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        options ??= BlobSaveOptions.Default;
        await using BlobCommitStream stream = await BlobCommitStream.OpenAsync(blob, options, cancellationToken).ConfigureAwait(false);

        // The writer is synchronous; on a pool thread its waits for free block buffers block no caller.
        await Task.Run(() => CheckpointCodec.Write(stream, tree, options.Msgpack), cancellationToken).ConfigureAwait(false);
        return await stream.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>Loads the raw state dict of the blob <paramref name="blobName"/> of <paramref name="container"/>.</summary>
    /// <inheritdoc cref="LoadAsync(BlobBaseClient, BlobLoadOptions?, CancellationToken)"/>
    public static Task<StateNode> LoadAsync(BlobContainerClient container, string blobName, BlobLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        return LoadAsync(container.GetBlobClient(blobName), options, cancellationToken);
    }

    /// <summary>
    /// Loads the raw state dict a checkpoint blob holds, as <see cref="Msgpack.Load(string, bool, MsgpackOptions?)"/>
    /// does for a file: one request for its properties, then ranges of <see cref="BlobLoadOptions.RangeSize"/>,
    /// <see cref="BlobLoadOptions.MaxConcurrency"/> in flight, all pinned to the version seen first. Blobs under 64 MiB
    /// are downloaded into one array and decoded from it (the arrays are copied out of it); larger ones into a staged
    /// file (<see cref="BlobLoadOptions.StagingDirectory"/>, else <c>/dev/shm</c> when it has room, else the temp folder)
    /// that is mapped on Linux, so the arrays are copy-on-write views of its pages and the checkpoint is held once; the
    /// file's name is deleted when the load returns.
    /// </summary>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    /// <exception cref="BlobCheckpointConflictException">The blob was replaced during the load.</exception>
    /// <exception cref="BlobCheckpointAccessDeniedException">The credentials were refused.</exception>
    /// <exception cref="BlobCheckpointException">Another service failure, after the client's retries.</exception>
    /// <exception cref="InvalidCheckpointException">The blob is not a valid checkpoint; the message names the blob URL and the tree path.</exception>
    public static Task<StateNode> LoadAsync(BlobBaseClient blob, BlobLoadOptions? options = null, CancellationToken cancellationToken = default) =>
        LoadAsync(blob, options, expectedChecksum: null, cancellationToken);

    /// <summary>The load, checking the bytes against a manifest checksum first when one is given.</summary>
    internal static async Task<StateNode> LoadAsync(BlobBaseClient blob, BlobLoadOptions? options, string? expectedChecksum, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        options ??= BlobLoadOptions.Default;
        BlobRangeReader reader = await BlobRangeReader.OpenAsync(blob, cancellationToken).ConfigureAwait(false);
        CheckpointCodec.CheckLength(reader.Length, options.Msgpack, reader.BlobUri);
        if (reader.Length < StagingThreshold)
        {
            byte[] bytes = await BlobDownload.ToArrayAsync(reader, options, cancellationToken).ConfigureAwait(false);
            CheckChecksum(expectedChecksum, XxHash3.HashToUInt64(bytes), reader.BlobUri);
            return CheckpointCodec.Read(bytes, options.Msgpack, reader.BlobUri);
        }

        // Large blobs go through a staged file that the core maps: the arrays are views of its pages, so the load
        // holds the checkpoint once (a buffer handed to Deserialize would be copied into the arrays: twice).
        string staged = Path.Combine(StagingDirectory(options, reader.Length), $"braintools-blob-{Guid.NewGuid():N}.msgpack");
        try
        {
            await BlobDownload.ToFileAsync(reader, staged, options, cancellationToken).ConfigureAwait(false);
            if (expectedChecksum is not null)
            {
                var hash = new XxHash3();
                using (FileStream file = File.OpenRead(staged))
                {
                    await hash.AppendAsync(file, cancellationToken).ConfigureAwait(false);
                }

                CheckChecksum(expectedChecksum, hash.GetCurrentHashAsUInt64(), reader.BlobUri);
            }

            // Linux keeps a mapped file's pages after its name is deleted; elsewhere the file is read, then deleted.
            MsgpackOptions load = (options.Msgpack ?? MsgpackOptions.Default) with
            {
                LoadMode = OperatingSystem.IsLinux() ? CheckpointLoadMode.MemoryMap : CheckpointLoadMode.Read,
            };
            return CheckpointCodec.ReadFile(staged, load, reader.BlobUri);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    /// <summary>Where a large blob is staged: the caller's folder, else shared memory (<c>/dev/shm</c>) when it has room, else the temp folder.</summary>
    private static string StagingDirectory(BlobLoadOptions options, long length)
    {
        if (options.StagingDirectory is { } chosen)
        {
            return chosen;
        }

        const string shm = "/dev/shm";
        if (OperatingSystem.IsLinux() && Directory.Exists(shm))
        {
            try
            {
                if (new DriveInfo(shm).AvailableFreeSpace > length + (256L << 20))
                {
                    return shm;
                }
            }
            catch (IOException)
            {
                // Not a mount we can ask; use the temp folder.
            }
        }

        return Path.GetTempPath();
    }

    private static void CheckChecksum(string? expected, ulong actual, Uri blob)
    {
        if (expected is not null && !string.Equals(expected, BlobCommitStream.Checksum(actual), StringComparison.Ordinal))
        {
            throw new InvalidCheckpointException(
                $"checksum mismatch: the manifest records {expected}, the blob's bytes hash to {BlobCommitStream.Checksum(actual)} (damaged or replaced)", blob.ToString(), ".");
        }
    }

    /// <summary>
    /// Loads a checkpoint blob and restores it into <paramref name="target"/>, as
    /// <see cref="Msgpack.Load{T}(string, T, Mismatch, bool, MsgpackOptions?)"/> does for a file.
    /// </summary>
    /// <inheritdoc cref="LoadAsync(BlobBaseClient, BlobLoadOptions?, CancellationToken)"/>
    /// <exception cref="CheckpointMismatchException">The state does not fit the target under <paramref name="mismatch"/>.</exception>
    public static async Task<T> LoadAsync<T>(BlobBaseClient blob, T target, Mismatch mismatch = Mismatch.Error, BlobLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        StateNode state = await LoadAsync(blob, options, cancellationToken).ConfigureAwait(false);
        return CheckpointCodec.Restore(target, state, mismatch, options?.Msgpack);
    }
}
