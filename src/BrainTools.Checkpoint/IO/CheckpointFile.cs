using BrainTools.Checkpoint.Format;
using Microsoft.Win32.SafeHandles;


namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Reads a checkpoint file: one read (parallel for large files) into memory the loaded arrays then share, or a
/// mapping of the file; no per-array copy either way.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>Loads the tree a file holds.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint, or is over the size limit.</exception>
    public static StateNode Read(string path, MsgpackOptions options)
    {
        using SafeFileHandle handle = Open(path, options, out long length);
        ArrayStorage storage;
        if (options.LoadMode == CheckpointLoadMode.MemoryMap)
        {
            storage = MappedArrayStorage.Map(handle, length, copyOnWrite: true);
        }
        else
        {
            // Large files go to native memory on huge pages (cheap to fault in, no GC heap growth), read by
            // several threads: each faults in and fills its own blocks.
            bool large = length >= options.ParallelReadThreshold;
            storage = Allocate(length, options);
            try
            {
                long done = 0;
                if (length > WireReader.PrefixLength)
                {
                    // What is plainly not a checkpoint (an all-zero file) is refused before the rest is read.
                    PositionalRead.Read(handle, 0, WireReader.PrefixLength, storage.GetSpan, parallel: false, path, progress: options.Progress);
                    if (WireReader.CheckPrefix(StorageSequence.Create(storage, WireReader.PrefixLength), length, options) is InvalidCheckpointException refused)
                    {
                        throw refused.WithFile(path);
                    }

                    done = WireReader.PrefixLength;
                }

                PositionalRead.Read(handle, done, length - done, (offset, count) => storage.GetSpan(done + offset, count), parallel: large, path, progress: options.Progress);
            }
            catch
            {
                (storage as IDisposable)?.Dispose();
                throw;
            }
        }

        try
        {
            return WireReader.ReadTree(StorageSequence.Create(storage, length), storage, options);
        }
        catch (InvalidCheckpointException e)
        {
            // Give big buffers back now rather than at the next GC.
            (storage as IDisposable)?.Dispose();
            throw e.WithFile(path);
        }
    }

    /// <summary>Memory for a whole checkpoint: native (huge pages, no GC heap growth) from the parallel-read size, else as any array.</summary>
    public static ArrayStorage Allocate(long length, MsgpackOptions options) =>
        length >= options.ParallelReadThreshold ? new NativeArrayStorage(length) : NdArray.Allocate(length, zero: false);

    /// <summary>Opens a checkpoint for reading and checks its length against the options.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is empty or over <see cref="MsgpackOptions.MaxFileSize"/>.</exception>
    public static SafeFileHandle Open(string path, MsgpackOptions options, out long length)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        try
        {
            length = RandomAccess.GetLength(handle);
            if (options.MaxFileSize is long max && length > max)
            {
                throw new InvalidCheckpointException(WireErrors.TooLarge(length, max), path, ".", 0);
            }

            if (length == 0)
            {
                throw new InvalidCheckpointException(WireErrors.Empty, path, ".", 0);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
