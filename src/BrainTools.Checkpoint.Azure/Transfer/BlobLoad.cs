using System.IO.Hashing;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>A whole checkpoint from a blob: small ones through one array, large ones through a staged file the core maps.</summary>
internal static class BlobLoad
{
    /// <summary>Blobs of at least this many bytes are loaded through a staged, mapped file instead of one array.</summary>
    public const long StagingThreshold = 64L << 20;

    /// <summary>The load, checking the bytes against a manifest checksum first when one is given.</summary>
    public static async Task<StateNode> LoadAsync(BlobBaseClient blob, BlobLoadOptions? options, string? expectedChecksum, CancellationToken cancellationToken)
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

            return CheckpointCodec.ReadStagedFile(staged, options.Msgpack, reader.BlobUri);
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

}
