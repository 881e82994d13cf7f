using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Storage;

/// <summary>
/// Positional reads of a range of a file straight into memory, by one thread or, for large ranges, by several:
/// positional reads share no file position, so threads fill their own blocks in place.
/// </summary>
internal static class PositionalRead
{
    // One read call moves at most this much: Span lengths are ints, and Linux caps a read near 2 GiB anyway.
    private const int ReadWindow = 1 << 30;

    // Parallel reads take the range in blocks of at most this much (small enough that the last block does not
    // leave a thread idle for long), and at least the smallest (big enough that a syscall's cost vanishes).
    private const int LargestBlock = 16 << 20;
    private const int SmallestBlock = 1 << 20;

    /// <summary>The destination memory: a span over <paramref name="length"/> bytes at <paramref name="offset"/> from its start.</summary>
    public delegate Span<byte> Destination(long offset, int length);

    /// <summary>Reads <paramref name="count"/> bytes of the file from <paramref name="fileOffset"/> into the destination.</summary>
    /// <param name="handle">The file, open for reading.</param>
    /// <param name="fileOffset">Where in the file the range starts.</param>
    /// <param name="count">The range's length.</param>
    /// <param name="destination">Where the bytes go (offsets relative to the range's start).</param>
    /// <param name="parallel">Whether to read with one thread per processor (for large ranges).</param>
    /// <param name="path">The file's path, for the error when it shrank.</param>
    /// <param name="treePath">The tree path of what is read, for that error too.</param>
    /// <exception cref="InvalidCheckpointException">The file ended before the range did.</exception>
    public static void Read(SafeFileHandle handle, long fileOffset, long count, Destination destination, bool parallel, string path, string? treePath = null)
    {
        int threads = Environment.ProcessorCount;
        long block = Math.Clamp(count / threads, SmallestBlock, LargestBlock);
        if (!parallel || threads == 1 || count < 2 * block)
        {
            ReadBlock(handle, fileOffset, 0, count, destination, path, treePath);
            return;
        }

        long blocks = (count + block - 1) / block;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        try
        {
            Parallel.For(0L, blocks, options, index =>
            {
                long start = index * block;
                ReadBlock(handle, fileOffset, start, Math.Min(block, count - start), destination, path, treePath);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Callers expect the IOException or InvalidCheckpointException itself, as from a one-thread read.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static void ReadBlock(SafeFileHandle handle, long fileOffset, long start, long count, Destination destination, string path, string? treePath)
    {
        long offset = start;
        long end = start + count;
        while (offset < end)
        {
            int read = RandomAccess.Read(handle, destination(offset, (int)Math.Min(ReadWindow, end - offset)), fileOffset + offset);
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the file shrank while it was read ({fileOffset + offset} of {fileOffset + end} bytes)", path, treePath);
            }

            offset += read;
        }
    }
}
