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

        return Verify(FileCheckpointStore.ForFile(full, durable: false), Path.GetFileName(full), progress);
    }

    /// <summary>
    /// Checks the checkpoint <paramref name="name"/> of <paramref name="store"/> (a directory, a blob prefix) against
    /// the <c>manifest.json</c> of that store, as <see cref="VerifyFile"/> does for a file: its size, then its XXH3-64
    /// checksum (one read, in order).
    /// </summary>
    /// <param name="store">Where the checkpoint and the manifest are.</param>
    /// <param name="name">The checkpoint's name in the store.</param>
    /// <param name="progress">Receives the bytes hashed as they are read.</param>
    /// <returns>What was found; <see cref="ChecksumVerification.IsIntact"/> is false only when the manifest contradicts the checkpoint.</returns>
    /// <exception cref="FileNotFoundException">The checkpoint does not exist (a backend may throw its own typed not-found error).</exception>
    public static ChecksumVerification Verify(ICheckpointStore store, string name, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(name);
        StoredCheckpoint stored = store.Find(name) ?? throw new FileNotFoundException($"Checkpoint not found: {store.Locate(name)}", store.Locate(name));
        string manifest = store.Locate(CheckpointManifest.FileName);
        if (name == CheckpointManifest.FileName || store.Find(CheckpointManifest.FileName) is null)
        {
            return new ChecksumVerification(ChecksumStatus.NotRecorded, manifest, null, stored.Length, null, null);
        }

        // The manifest's own reader, which leaves out what it cannot read (with a warning) instead of failing.
        bool damaged = false;
        List<CheckpointInfo> entries = CheckpointManifest.Read(store, MsgpackOptions.Default with { OnWarning = _ => damaged = true }, out _);
        CheckpointInfo? info = entries.FindLast(e => string.Equals(e.File, name, StringComparison.Ordinal));
        if (info is null)
        {
            return new ChecksumVerification(damaged ? ChecksumStatus.ManifestUnreadable : ChecksumStatus.NotRecorded, manifest, null, stored.Length, null, null);
        }

        string? recorded = info.Checksum.Length == 0 ? null : info.Checksum;
        if (info.Size != stored.Length)
        {
            return new ChecksumVerification(ChecksumStatus.SizeMismatch, manifest, info.Size, stored.Length, recorded, null);
        }

        if (recorded is null || !recorded.StartsWith(FileChecksum.Prefix, StringComparison.Ordinal))
        {
            return new ChecksumVerification(recorded is null ? ChecksumStatus.NotRecorded : ChecksumStatus.UnknownAlgorithm, manifest, info.Size, stored.Length, recorded, null);
        }

        string actual;
        using (ICheckpointSource source = store.OpenRead(name))
        {
            actual = FileChecksum.Compute(source, progress);
        }

        ChecksumStatus status = string.Equals(actual, recorded, StringComparison.OrdinalIgnoreCase) ? ChecksumStatus.Ok : ChecksumStatus.ChecksumMismatch;
        return new ChecksumVerification(status, manifest, info.Size, stored.Length, recorded, actual);
    }
}
