using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// A whole checkpoint from a blob: the core's full load from a <see cref="BlobCheckpointSource"/> (parallel ranged
/// reads straight into the memory the arrays share), run off the caller's thread, with the manifest's checksum
/// checked on the way when one is given.
/// </summary>
internal static class BlobLoad
{
    /// <summary>The load, checking the bytes against a manifest checksum when one is given.</summary>
    /// <exception cref="InvalidCheckpointException">Not a valid checkpoint, or the checksum differs; names the blob URL.</exception>
    public static async Task<StateNode> LoadAsync(BlobBaseClient blob, BlobLoadOptions? options, string? expectedChecksum, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        options ??= BlobLoadOptions.Default;
        using BlobCheckpointSource source = await BlobCheckpointSource.OpenAsync(blob, options, cancellationToken).ConfigureAwait(false);
        if (expectedChecksum is null)
        {
            return await Task.Run(() => Msgpack.Load(source, options.Msgpack), cancellationToken).ConfigureAwait(false);
        }

        // One read at a time, in order, hashed as it comes: a checksum needs the bytes in order, and a second
        // download to hash them would cost the whole transfer again.
        var checksummed = new ChecksummedSource(source);
        try
        {
            StateNode state = await Task.Run(() => Msgpack.Load(checksummed, options.Msgpack), cancellationToken).ConfigureAwait(false);
            CheckChecksum(expectedChecksum, checksummed, source.Name);
            return state;
        }
        catch (InvalidCheckpointException) when (checksummed.Complete)
        {
            // A damaged blob is reported as what the manifest proves: its bytes are not the ones committed.
            CheckChecksum(expectedChecksum, checksummed, source.Name);
            throw;
        }
    }

    private static void CheckChecksum(string expected, ChecksummedSource source, string blob)
    {
        if (!string.Equals(expected, source.Checksum, StringComparison.Ordinal))
        {
            throw new InvalidCheckpointException(
                $"checksum mismatch: the manifest records {expected}, the blob's bytes hash to {source.Checksum} (damaged or replaced)", blob, ".");
        }
    }
}
