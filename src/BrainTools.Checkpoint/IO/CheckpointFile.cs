using BrainTools.Checkpoint.Format;

namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Reads a whole checkpoint from its source: one read (parallel for large ones) into memory the loaded arrays then
/// share, or, for a local file, a mapping of it; no per-array copy either way.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>Loads the tree a file holds.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint, or is over the size limit.</exception>
    public static StateNode Read(string path, MsgpackOptions options)
    {
        using var source = new FileCheckpointSource(path);
        return Read(source, options);
    }

    /// <summary>
    /// Loads the tree a source holds: mapped when it is a local file and <see cref="MsgpackOptions.LoadMode"/> says
    /// so, else read into new memory (native from <see cref="MsgpackOptions.ParallelReadThreshold"/>, read in
    /// <see cref="ICheckpointSource.MaxConcurrentReads"/> blocks at once).
    /// </summary>
    /// <param name="source">The checkpoint's bytes.</param>
    /// <param name="options">Limits and the load mode.</param>
    /// <param name="expectedChecksum">
    /// When given, the bytes read are hashed in memory before they are parsed (no second read), and must have this
    /// checksum (<see cref="FileChecksum"/>): a checkpoint manager's verified restore.
    /// </param>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint, is over the size limit, or has another checksum; the message names the source.</exception>
    public static StateNode Read(ICheckpointSource source, MsgpackOptions options, string? expectedChecksum = null)
    {
        long length = CheckLength(source, options);
        ArrayStorage storage;
        if (options.LoadMode == CheckpointLoadMode.MemoryMap && source is FileCheckpointSource file)
        {
            storage = MappedArrayStorage.Map(file.Handle, length, copyOnWrite: true);
        }
        else
        {
            // Large checkpoints go to native memory on huge pages (cheap to fault in, no GC heap growth), read by
            // several threads: each faults in and fills its own blocks.
            bool large = length >= options.ParallelReadThreshold;
            storage = Allocate(length, options);
            try
            {
                long done = 0;
                if (length > WireReader.PrefixLength)
                {
                    // What is plainly not a checkpoint (an all-zero file) is refused before the rest is read.
                    PositionalRead.Read(source, 0, WireReader.PrefixLength, storage.GetSpan, parallel: false, progress: options.Progress);
                    if (WireReader.CheckPrefix(StorageSequence.Create(storage, WireReader.PrefixLength), length, options) is InvalidCheckpointException refused)
                    {
                        throw refused.WithFile(source.Name);
                    }

                    done = WireReader.PrefixLength;
                }

                PositionalRead.Read(source, done, length - done, (offset, count) => storage.GetSpan(done + offset, count), parallel: large, progress: options.Progress);
            }
            catch
            {
                (storage as IDisposable)?.Dispose();
                throw;
            }
        }

        try
        {
            if (expectedChecksum is not null && FileChecksum.Compute(storage, length) is var actual && !string.Equals(actual, expectedChecksum, StringComparison.Ordinal))
            {
                throw new InvalidCheckpointException(FileChecksum.Mismatch(actual, expectedChecksum), source.Name, null);
            }

            return WireReader.ReadTree(StorageSequence.Create(storage, length), storage, options);
        }
        catch (InvalidCheckpointException e)
        {
            // Give big buffers back now rather than at the next GC.
            (storage as IDisposable)?.Dispose();
            if (e.FilePath is null)
            {
                throw e.WithFile(source.Name);
            }

            throw;
        }
    }

    /// <summary>Memory for a whole checkpoint: native (huge pages, no GC heap growth) from the parallel-read size, else as any array.</summary>
    public static ArrayStorage Allocate(long length, MsgpackOptions options) =>
        length >= options.ParallelReadThreshold ? new NativeArrayStorage(length) : NdArray.Allocate(length, zero: false);

    /// <summary>The source's length, checked against the options before anything is read.</summary>
    /// <exception cref="InvalidCheckpointException">The source is empty or over <see cref="MsgpackOptions.MaxFileSize"/>.</exception>
    public static long CheckLength(ICheckpointSource source, MsgpackOptions options)
    {
        long length = source.Length;
        if (options.MaxFileSize is long max && length > max)
        {
            throw new InvalidCheckpointException(WireErrors.TooLarge(length, max), source.Name, ".", 0);
        }

        if (length == 0)
        {
            throw new InvalidCheckpointException(WireErrors.Empty, source.Name, ".", 0);
        }

        return length;
    }
}
