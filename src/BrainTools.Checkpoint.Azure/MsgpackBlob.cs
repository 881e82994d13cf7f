using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// Saves checkpoints to and loads them from Azure Blob Storage, in the same bytes <see cref="Msgpack.Save(Stream, object?, MsgpackOptions?)"/>
/// writes to a file. A save streams the checkpoint as staged blocks and commits the block list at the end under a
/// <see cref="BlobCommitCondition"/>: the blob is the old or the new checkpoint, never a mix, and a concurrent
/// writer's commit is never overwritten unnoticed. A load reads the blob through a
/// <see cref="BlobCheckpointSource"/>: parallel ranged reads for a full load, the index and then single arrays for a
/// lazy <see cref="Open"/> or <see cref="LoadIntoAsync"/>, all of one version (<c>If-Match</c>).
/// </summary>
/// <remarks>All members are thread-safe. Clients made with <see cref="CreateClientOptions"/> retry transient faults.</remarks>
public static class MsgpackBlob
{
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
        return await BlobSave.SaveAsync(blob, tree, options ?? BlobSaveOptions.Default, cancellationToken).ConfigureAwait(false);
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
    /// Loads the raw state dict a checkpoint blob holds, as <see cref="Msgpack.Load(string, MsgpackOptions?)"/>
    /// does for a file: one request for its properties, then the core's full load from a <see cref="BlobCheckpointSource"/>
    /// (<see cref="Msgpack.Load(ICheckpointSource, MsgpackOptions?)"/>), run off the caller's thread: ranges of at least
    /// <see cref="BlobLoadOptions.RangeSize"/>, <see cref="BlobLoadOptions.MaxConcurrency"/> in flight, all pinned to
    /// the version seen first, read straight into one block of memory (native when large) that the arrays share.
    /// Nothing is staged on disk.
    /// </summary>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    /// <exception cref="BlobCheckpointConflictException">The blob was replaced during the load.</exception>
    /// <exception cref="BlobCheckpointAccessDeniedException">The credentials were refused.</exception>
    /// <exception cref="BlobCheckpointException">Another service failure, after the client's retries.</exception>
    /// <exception cref="InvalidCheckpointException">The blob is not a valid checkpoint; the message names the blob URL and the tree path.</exception>
    public static Task<StateNode> LoadAsync(BlobBaseClient blob, BlobLoadOptions? options = null, CancellationToken cancellationToken = default) =>
        BlobLoad.LoadAsync(blob, options, cancellationToken);

    /// <summary>
    /// Loads a checkpoint blob and restores it into <paramref name="target"/>, as
    /// <see cref="Msgpack.Load{T}(string, T, Mismatch, MsgpackOptions?)"/> does for a file.
    /// </summary>
    /// <inheritdoc cref="LoadAsync(BlobBaseClient, BlobLoadOptions?, CancellationToken)"/>
    /// <exception cref="CheckpointMismatchException">The state does not fit the target under <paramref name="mismatch"/>.</exception>
    public static async Task<T> LoadAsync<T>(BlobBaseClient blob, T target, Mismatch mismatch = Mismatch.Error, BlobLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(target);
        using BlobCheckpointSource source = await BlobCheckpointSource.OpenAsync(blob, options, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => Msgpack.Load(source, target, mismatch, options?.Msgpack), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a checkpoint blob lazily, as <see cref="Msgpack.Open(string, MsgpackOptions?)"/> does for a file:
    /// one request for its properties, then the index (keys, dtypes, shapes, offsets) in ranged reads of
    /// <see cref="BlobLoadOptions.RangeSize"/> that skip the payloads (about one per large array's header, a few in all
    /// for many small arrays); each array read after that is one ranged read (parallel blocks for a large one), all
    /// pinned to the version seen at open.
    /// </summary>
    /// <param name="blob">The checkpoint blob.</param>
    /// <param name="options">Range size, concurrency and format limits; <see cref="BlobLoadOptions.Default"/> when null.</param>
    /// <returns>The opened checkpoint; dispose it when done (the client stays the caller's). Its arrays own their memory.</returns>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    /// <exception cref="BlobCheckpointAccessDeniedException">The credentials were refused.</exception>
    /// <exception cref="BlobCheckpointException">Another service failure, after the client's retries.</exception>
    /// <exception cref="InvalidCheckpointException">The blob is not a valid checkpoint; the message names the blob URL and the tree path.</exception>
    /// <remarks>Reads are synchronous (the SDK's sync API), here and in the reader's methods. A read of the reader after
    /// the blob was replaced throws <see cref="BlobCheckpointConflictException"/>.</remarks>
    public static CheckpointReader Open(BlobBaseClient blob, BlobLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return Msgpack.Open(new BlobCheckpointSource(blob, options), options?.Msgpack);
    }

    /// <summary>
    /// Loads a checkpoint blob into the template's own memory, as <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>
    /// does for a file: the index is read (as <see cref="Open"/> reads it), the whole template is checked, then only the
    /// arrays it asks for are read, from the blob straight into its arrays; run off the caller's thread.
    /// </summary>
    /// <param name="blob">The checkpoint blob.</param>
    /// <param name="target">The template, whose arrays receive the values.</param>
    /// <param name="mismatch">What to do where the checkpoint does not fit the template.</param>
    /// <param name="options">Range size, concurrency, format limits and where warnings go (<see cref="MsgpackOptions.OnWarning"/>).</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The restored structure: <paramref name="target"/> itself for modules and plain classes, else a structure shaped like it that holds its arrays.</returns>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    /// <exception cref="BlobCheckpointConflictException">The blob was replaced during the load.</exception>
    /// <exception cref="BlobCheckpointException">Another service failure, after the client's retries.</exception>
    /// <exception cref="InvalidCheckpointException">The blob is not a valid checkpoint; the message names the blob URL and the tree path.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the checkpoint does not fit the template; no array was changed.</exception>
    public static async Task<T> LoadIntoAsync<T>(BlobBaseClient blob, T target, Mismatch mismatch = Mismatch.Error, BlobLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(target);
        using BlobCheckpointSource source = await BlobCheckpointSource.OpenAsync(blob, options, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => Msgpack.LoadInto(source, target, mismatch, options?.Msgpack), cancellationToken).ConfigureAwait(false);
    }
}
