using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

public sealed partial class CheckpointManager
{
    /// <summary>
    /// Checks a checkpoint file against the <c>manifest.json</c> a checkpoint manager keeps beside it: its size, then
    /// its XXH3-64 checksum (one read of the file). Does not open a manager, write anything or decode the checkpoint.
    /// </summary>
    /// <param name="path">The checkpoint file (any name; only files the manifest lists are checked).</param>
    /// <param name="progress">Receives the bytes hashed as the file is read, for a progress bar.</param>
    /// <returns>What was found; <see cref="ChecksumVerification.IsIntact"/> is false only when the manifest contradicts the file.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ChecksumVerification VerifyFile(string path, IProgress<long>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        string directory = Path.GetDirectoryName(full)!;
        string manifest = Path.Combine(directory, CheckpointManifest.FileName);
        long size = new FileInfo(full).Length;
        if (!File.Exists(manifest) || string.Equals(full, manifest, StringComparison.Ordinal))
        {
            return new ChecksumVerification(ChecksumStatus.NotRecorded, manifest, null, size, null, null);
        }

        // The manifest's own reader, which leaves out what it cannot read (with a warning) instead of failing.
        bool damaged = false;
        List<CheckpointInfo> entries = CheckpointManifest.Read(new FileCheckpointStore(directory, durable: false, create: false), MsgpackOptions.Default with { OnWarning = _ => damaged = true }, out _);
        string name = Path.GetFileName(full);
        CheckpointInfo? info = entries.FindLast(e => string.Equals(e.File, name, StringComparison.Ordinal));
        if (info is null)
        {
            return new ChecksumVerification(damaged ? ChecksumStatus.ManifestUnreadable : ChecksumStatus.NotRecorded, manifest, null, size, null, null);
        }

        string? recorded = info.Checksum.Length == 0 ? null : info.Checksum;
        if (info.Size != size)
        {
            return new ChecksumVerification(ChecksumStatus.SizeMismatch, manifest, info.Size, size, recorded, null);
        }

        if (recorded is null || !recorded.StartsWith(FileChecksum.Prefix, StringComparison.Ordinal))
        {
            return new ChecksumVerification(recorded is null ? ChecksumStatus.NotRecorded : ChecksumStatus.UnknownAlgorithm, manifest, info.Size, size, recorded, null);
        }

        string actual = FileChecksum.Compute(full, progress);
        ChecksumStatus status = string.Equals(actual, recorded, StringComparison.OrdinalIgnoreCase) ? ChecksumStatus.Ok : ChecksumStatus.ChecksumMismatch;
        return new ChecksumVerification(status, manifest, info.Size, size, recorded, actual);
    }
}
