using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// A prefix of a blob container (<c>runs/a/</c>) as an <see cref="ICheckpointStore"/>: what
/// <see cref="Msgpack.Save(ICheckpointStore, string, object?, bool, MsgpackOptions?, AsyncManager?)"/> and
/// <see cref="CheckpointManager"/> write to, as they write to a directory. Object storage has no rename: a write
/// stages blocks (at most <see cref="BlobSaveOptions.MaxBlocksInMemory"/> of <see cref="BlobSaveOptions.BlockSize"/>
/// in memory, several in flight) and its commit is the block list's, carrying the write's condition
/// (<c>If-None-Match: *</c>, <c>If-Match</c> an ETag), so the blob is the old or the new checkpoint and a concurrent
/// writer's commit is never replaced unnoticed.
/// </summary>
/// <remarks>
/// <para>Reads are <see cref="BlobCheckpointSource"/>s (ranged, pinned to one version). Versions are ETags.</para>
/// <para>The core calls stores synchronously; the SDK's synchronous API (or its asynchronous one, waited on) is used,
/// with the client's retry policy (<see cref="MsgpackBlob.CreateClientOptions"/>). Failures are this package's typed
/// errors (<see cref="BlobCheckpointException"/> and its subclasses), naming the blob URL; a failed condition is a
/// <see cref="CheckpointConflictException"/>, as for every store.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class BlobCheckpointStore : ICheckpointStore
{
    private readonly BlobContainerClient container;
    private readonly string prefix;
    private readonly BlobSaveOptions save;
    private readonly BlobLoadOptions? load;

    /// <summary>The blobs of <paramref name="container"/> under <paramref name="prefix"/>.</summary>
    /// <param name="container">The container; it must exist.</param>
    /// <param name="prefix">The run's folder in the container, such as <c>runs/a/</c> (a <c>/</c> is added when missing), or empty.</param>
    /// <param name="save">Block size and memory of writes (their condition is each write's own).</param>
    /// <param name="load">Range size and concurrency of reads.</param>
    public BlobCheckpointStore(BlobContainerClient container, string prefix = "", BlobSaveOptions? save = null, BlobLoadOptions? load = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(prefix);
        this.container = container;
        this.prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        this.save = save ?? BlobSaveOptions.Default;
        this.load = load;
        Name = BlobErrors.WithoutQuery(container.Uri).ToString().TrimEnd('/') + "/" + this.prefix;
    }

    /// <summary>The URL of the prefix (without a SAS query): <c>https://account.blob.core.windows.net/container/runs/a/</c>.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public string Locate(string name) => BlobErrors.WithoutQuery(container.GetBlobClient(prefix + name).Uri).ToString();

    /// <inheritdoc/>
    /// <exception cref="BlobCheckpointNotFoundException">The container does not exist.</exception>
    public IReadOnlyList<StoredCheckpoint> List()
    {
        var found = new List<StoredCheckpoint>();
        try
        {
            foreach (BlobItem item in container.GetBlobs(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None))
            {
                string name = item.Name[prefix.Length..];
                if (!name.Contains('/', StringComparison.Ordinal))
                {
                    found.Add(new StoredCheckpoint(name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue, item.Properties.ETag?.ToString() ?? string.Empty));
                }
            }
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, new Uri(Name), "list the checkpoints under");
        }

        return found;
    }

    /// <inheritdoc/>
    /// <exception cref="BlobCheckpointNotFoundException">The container does not exist.</exception>
    public StoredCheckpoint? Find(string name)
    {
        BlobClient blob = container.GetBlobClient(prefix + name);
        try
        {
            BlobProperties properties = blob.GetProperties().Value;
            return new StoredCheckpoint(name, properties.ContentLength, properties.LastModified, properties.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != BlobErrorCode.ContainerNotFound.ToString())
        {
            return null;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, blob.Uri, "read the properties of");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="BlobCheckpointNotFoundException">The container or the blob does not exist.</exception>
    public ICheckpointSource OpenRead(string name) => new BlobCheckpointSource(container.GetBlobClient(prefix + name), load);

    /// <inheritdoc/>
    public ICheckpointWriter BeginWrite(string name, StoreCondition condition)
    {
        BlobCommitCondition commit = condition.Kind switch
        {
            StoreConditionKind.IfAbsent => BlobCommitCondition.CreateNew,
            StoreConditionKind.IfVersion => BlobCommitCondition.IfMatch(new ETag(condition.Version!)),
            _ => BlobCommitCondition.Overwrite,
        };
        BlobCommitStream stream;
        try
        {
            stream = BlobCommitStream.OpenAsync(container.GetBlockBlobClient(prefix + name), save with { Condition = commit }).GetAwaiter().GetResult();
        }
        catch (BlobCheckpointConflictException e)
        {
            throw new CheckpointConflictException(e.Message, Locate(name), e);
        }

        return new BlobCheckpointWriter(name, stream);
    }

    /// <inheritdoc/>
    public void Delete(string name)
    {
        BlobClient blob = container.GetBlobClient(prefix + name);
        try
        {
            blob.DeleteIfExists();
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, blob.Uri, "delete");
        }
    }
}
