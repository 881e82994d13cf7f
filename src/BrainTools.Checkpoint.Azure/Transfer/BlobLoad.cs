using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// A whole checkpoint from a blob: the core's full load from a <see cref="BlobCheckpointSource"/> (parallel ranged
/// reads straight into the memory the arrays share), run off the caller's thread.
/// </summary>
internal static class BlobLoad
{
    /// <exception cref="InvalidCheckpointException">Not a valid checkpoint; names the blob URL.</exception>
    public static async Task<StateNode> LoadAsync(BlobBaseClient blob, BlobLoadOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        options ??= BlobLoadOptions.Default;
        using BlobCheckpointSource source = await BlobCheckpointSource.OpenAsync(blob, options, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => Msgpack.Load(source, options.Msgpack), cancellationToken).ConfigureAwait(false);
    }
}
