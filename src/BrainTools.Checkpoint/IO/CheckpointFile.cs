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
            storage = large ? new NativeArrayStorage(length) : NdArray.Allocate(length, zero: false);
            try
            {
                PositionalRead.Read(handle, 0, length, storage.GetSpan, parallel: large, path, progress: options.Progress);
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
}
