using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>A whole checkpoint to a blob: written into a <see cref="BlobCommitStream"/>, then committed.</summary>
internal static class BlobSave
{
    public static async Task<BlobCheckpointVersion> SaveAsync(BlockBlobClient blob, object? tree, BlobSaveOptions options, CancellationToken cancellationToken)
    {
        await using BlobCommitStream stream = await BlobCommitStream.OpenAsync(blob, options, cancellationToken).ConfigureAwait(false);

        // The writer is synchronous; on a pool thread its waits for free block buffers block no caller.
        await Task.Run(() => Msgpack.Save(stream, tree, options.Msgpack), cancellationToken).ConfigureAwait(false);
        return await stream.CommitAsync().ConfigureAwait(false);
    }
}
