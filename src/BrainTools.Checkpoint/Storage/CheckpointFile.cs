using BrainTools.Checkpoint.Format;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Storage;

/// <summary>Reads a checkpoint file: one read into memory the loaded arrays then share (no per-array copy).</summary>
internal static class CheckpointFile
{
    private const int ReadWindow = 1 << 30;

    /// <summary>Loads the tree a file holds.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint, or is over the size limit.</exception>
    public static StateNode Read(string path, MsgpackOptions options)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(handle);
        if (options.MaxFileSize is long max && length > max)
        {
            throw new InvalidCheckpointException($"the file has {length} bytes, more than the limit of {max} (MsgpackOptions.MaxFileSize)", path, ".");
        }

        if (length == 0)
        {
            throw new InvalidCheckpointException("the file is empty", path, ".");
        }

        ArrayStorage storage = NdArray.Allocate(length, zero: false);
        ReadAll(handle, storage, length, path);
        try
        {
            return new WireReader(StorageSequence.Create(storage, length), storage, options).ReadRoot();
        }
        catch (InvalidCheckpointException e)
        {
            throw e.WithFile(path);
        }
    }

    private static void ReadAll(SafeFileHandle handle, ArrayStorage storage, long length, string path)
    {
        long offset = 0;
        while (offset < length)
        {
            int window = (int)Math.Min(ReadWindow, length - offset);
            int read = RandomAccess.Read(handle, storage.GetSpan(offset, window), offset);
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the file shrank while it was read ({offset} of {length} bytes)", path);
            }

            offset += read;
        }
    }
}
