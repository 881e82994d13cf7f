using System.Runtime.ExceptionServices;
using BrainTools.Checkpoint.Format;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Storage;

/// <summary>
/// Reads a checkpoint file: one read (parallel for large files) into memory the loaded arrays then share, or a
/// mapping of the file; no per-array copy either way.
/// </summary>
internal static class CheckpointFile
{
    // One read call moves at most this much: Span lengths are ints, and Linux caps a read near 2 GiB anyway.
    private const int ReadWindow = 1 << 30;

    // Parallel reads take the file in blocks this large: big enough that a syscall's cost vanishes, small enough
    // that the last block does not leave a thread idle for long.
    private const int ParallelBlock = 16 << 20;

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
            storage = large ? new NativeArrayStorage(length) : NdArray.Allocate(length, zero: false);
            try
            {
                if (large && Environment.ProcessorCount > 1)
                {
                    ReadParallel(handle, storage, length, path);
                }
                else
                {
                    ReadRange(handle, storage, 0, length, path);
                }
            }
            catch
            {
                (storage as IDisposable)?.Dispose();
                throw;
            }
        }

        try
        {
            return new WireReader(StorageSequence.Create(storage, length), storage, options).ReadRoot();
        }
        catch (InvalidCheckpointException e)
        {
            // Give big buffers back now rather than at the next GC.
            (storage as IDisposable)?.Dispose();
            throw e.WithFile(path);
        }
    }

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
                throw new InvalidCheckpointException($"the file has {length} bytes, more than the limit of {max} (MsgpackOptions.MaxFileSize)", path, ".");
            }

            if (length == 0)
            {
                throw new InvalidCheckpointException("the file is empty", path, ".");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    // Positional reads need no shared file position, so threads read their blocks straight into place.
    private static void ReadParallel(SafeFileHandle handle, ArrayStorage storage, long length, string path)
    {
        long blocks = (length + ParallelBlock - 1) / ParallelBlock;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        try
        {
            Parallel.For(0L, blocks, parallel, block =>
            {
                long start = block * ParallelBlock;
                ReadRange(handle, storage, start, Math.Min(ParallelBlock, length - start), path);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Callers expect the IOException or InvalidCheckpointException itself, as from a one-thread read.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static void ReadRange(SafeFileHandle handle, ArrayStorage storage, long start, long count, string path)
    {
        long offset = start;
        long end = start + count;
        while (offset < end)
        {
            int window = (int)Math.Min(ReadWindow, end - offset);
            int read = RandomAccess.Read(handle, storage.GetSpan(offset, window), offset);
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the file shrank while it was read ({offset} of {end} bytes)", path);
            }

            offset += read;
        }
    }
}
