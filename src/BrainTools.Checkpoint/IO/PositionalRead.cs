using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;


namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Positional reads of ranges of a file straight into memory, by one thread or by several: positional reads share
/// no file position, so threads fill their own blocks in place.
/// </summary>
internal static class PositionalRead
{
    // One read call moves at most this much: Span lengths are ints, and Linux caps a read near 2 GiB anyway.
    private const int ReadWindow = 1 << 30;

    // Parallel reads take ranges in blocks of at most this much (small enough that the last block does not leave a
    // thread idle for long), and at least the smallest (big enough that a syscall's cost vanishes).
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
    /// <param name="progress">Receives the bytes of each block as it is read (from several threads when parallel).</param>
    /// <exception cref="InvalidCheckpointException">The file ended before the range did.</exception>
    public static void Read(SafeFileHandle handle, long fileOffset, long count, Destination destination, bool parallel, string path, string? treePath = null, IProgress<long>? progress = null) =>
        ReadAll(handle, [new Request(fileOffset, count, destination, treePath)], parallel, path, progress);

    /// <summary>Reads several ranges, cut into blocks that all threads share when <paramref name="parallel"/>.</summary>
    /// <exception cref="InvalidCheckpointException">The file ended before a range did.</exception>
    public static void ReadAll(SafeFileHandle handle, IReadOnlyList<Request> requests, bool parallel, string path, IProgress<long>? progress = null)
    {
        int threads = parallel ? Environment.ProcessorCount : 1;
        long total = 0;
        foreach (Request request in requests)
        {
            total += request.Count;
        }

        long block = Math.Clamp(total / threads, SmallestBlock, LargestBlock);
        var blocks = new List<(Request Request, long Start, long Count)>();
        foreach (Request request in requests)
        {
            for (long start = 0; start < request.Count; start += block)
            {
                blocks.Add((request, start, Math.Min(block, request.Count - start)));
            }
        }

        if (threads == 1 || blocks.Count < 2)
        {
            foreach ((Request request, long start, long count) in blocks)
            {
                ReadBlock(handle, request, start, count, path, progress);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        try
        {
            Parallel.For(0, blocks.Count, options, index => ReadBlock(handle, blocks[index].Request, blocks[index].Start, blocks[index].Count, path, progress));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Callers expect the IOException or InvalidCheckpointException itself, as from a one-thread read.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static void ReadBlock(SafeFileHandle handle, Request request, long start, long count, string path, IProgress<long>? progress)
    {
        long offset = start;
        long end = start + count;
        while (offset < end)
        {
            int read = RandomAccess.Read(handle, request.Destination(offset, (int)Math.Min(ReadWindow, end - offset)), request.FileOffset + offset);
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the file shrank while it was read ({request.FileOffset + offset} of {request.FileOffset + request.Count} bytes)", path, request.TreePath);
            }

            offset += read;
        }

        progress?.Report(count);
    }

    /// <summary>One range to read.</summary>
    /// <param name="FileOffset">Where in the file it starts.</param>
    /// <param name="Count">Its length.</param>
    /// <param name="Destination">Where its bytes go (offsets relative to the range's start).</param>
    /// <param name="TreePath">The tree path of what it holds, for errors.</param>
    public readonly record struct Request(long FileOffset, long Count, Destination Destination, string? TreePath);
}
