using System.Buffers;
using System.Runtime.ExceptionServices;

namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Positional reads of ranges of a checkpoint source (a file, a blob) straight into memory, by one thread or by
/// several: positional reads share no position, so threads fill their own blocks in place.
/// </summary>
/// <remarks>
/// Up to the processor count, the threads are the thread pool's (local reads are copies out of the page cache).
/// A source that wants more reads in flight than that (object storage, where each read mostly waits on the network)
/// gets threads of its own for the duration of the read: blocking pool threads would only be added slowly.
/// </remarks>
internal static class PositionalRead
{
    // One read call moves at most this much: Span lengths are ints, and Linux caps a read near 2 GiB anyway.
    private const int ReadWindow = 1 << 30;

    // Parallel reads take ranges in blocks of at most this much (small enough that the last block does not leave a
    // thread idle for long), and at least the smallest (big enough that a syscall's cost vanishes).
    private const int LargestBlock = 16 << 20;
    private const int SmallestBlock = 1 << 20;

    // Ranges at most this fraction of the preferred read size, with gaps no larger, are read together in one read of
    // at most the preferred size: a model's many biases and norms would otherwise cost a read each (a round trip each
    // on object storage). The bound on gaps keeps a large array that lies between them, and is not asked for, unread.
    private const int GatherFraction = 16;

    /// <summary>The destination memory: a span over <paramref name="length"/> bytes at <paramref name="offset"/> from its start.</summary>
    public delegate Span<byte> Destination(long offset, int length);

    /// <summary>Reads <paramref name="count"/> bytes of the source from <paramref name="fileOffset"/> into the destination.</summary>
    /// <param name="source">The checkpoint's bytes; its name is what the error names.</param>
    /// <param name="fileOffset">Where in the source the range starts.</param>
    /// <param name="count">The range's length.</param>
    /// <param name="destination">Where the bytes go (offsets relative to the range's start).</param>
    /// <param name="parallel">Whether to read with <see cref="ICheckpointSource.MaxConcurrentReads"/> threads (for large ranges).</param>
    /// <param name="treePath">The tree path of what is read, for the error when the source ended early.</param>
    /// <param name="progress">Receives the bytes of each block as it is read (from several threads when parallel).</param>
    /// <exception cref="InvalidCheckpointException">The source ended before the range did.</exception>
    public static void Read(ICheckpointSource source, long fileOffset, long count, Destination destination, bool parallel, string? treePath = null, IProgress<long>? progress = null) =>
        ReadAll(source, [new Request(fileOffset, count, destination, treePath)], parallel, progress);

    /// <summary>
    /// Reads several ranges, cut into blocks that all threads share when <paramref name="parallel"/>. Small ranges close
    /// together, in the order given (callers sort them by offset), are read in one read and copied out.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The source ended before a range did.</exception>
    public static void ReadAll(ICheckpointSource source, IReadOnlyList<Request> requests, bool parallel, IProgress<long>? progress = null)
    {
        List<Gathered> gathered = [];
        try
        {
            ReadBlocks(source, Gather(source, requests, gathered), parallel, progress);
            foreach (Gathered group in gathered)
            {
                group.CopyOut();
            }
        }
        finally
        {
            foreach (Gathered group in gathered)
            {
                ArrayPool<byte>.Shared.Return(group.Buffer);
            }
        }
    }

    // The requests with each run of small, close ranges replaced by one read into a pooled buffer (in gathered).
    private static IReadOnlyList<Request> Gather(ICheckpointSource source, IReadOnlyList<Request> requests, List<Gathered> gathered)
    {
        int span = Math.Max(1, source.PreferredReadSize);
        int small = span / GatherFraction;
        if (requests.Count < 2 || small == 0)
        {
            return requests;
        }

        var result = new List<Request>(requests.Count);
        for (int first = 0; first < requests.Count;)
        {
            int last = first;
            if (requests[first].Count <= small)
            {
                long end = requests[first].FileOffset + requests[first].Count;
                while (last + 1 < requests.Count
                    && requests[last + 1].Count <= small
                    && requests[last + 1].FileOffset >= end
                    && requests[last + 1].FileOffset - end <= small
                    && requests[last + 1].FileOffset + requests[last + 1].Count - requests[first].FileOffset <= span)
                {
                    last++;
                    end = requests[last].FileOffset + requests[last].Count;
                }
            }

            if (last == first)
            {
                result.Add(requests[first]);
            }
            else
            {
                long start = requests[first].FileOffset;
                int length = (int)(requests[last].FileOffset + requests[last].Count - start);
                var group = new Gathered(ArrayPool<byte>.Shared.Rent(length), start, [.. Enumerable.Range(first, last - first + 1).Select(i => requests[i])]);
                gathered.Add(group);
                result.Add(new Request(start, length, (offset, count) => group.Buffer.AsSpan((int)offset, count), requests[first].TreePath));
            }

            first = last + 1;
        }

        return result;
    }

    private static void ReadBlocks(ICheckpointSource source, IReadOnlyList<Request> requests, bool parallel, IProgress<long>? progress)
    {
        int threads = parallel ? Math.Max(1, source.MaxConcurrentReads) : 1;
        long total = 0;
        foreach (Request request in requests)
        {
            total += request.Count;
        }

        // A block is never smaller than what one read costs anyway (a round trip, for object storage).
        long smallest = Math.Max(SmallestBlock, source.PreferredReadSize);
        long block = Math.Clamp(total / threads, smallest, Math.Max(LargestBlock, smallest));
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
                ReadBlock(source, request, start, count, progress);
            }

            return;
        }

        if (threads <= Environment.ProcessorCount)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
            try
            {
                Parallel.For(0, blocks.Count, options, index => ReadBlock(source, blocks[index].Request, blocks[index].Start, blocks[index].Count, progress));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // Callers expect the IOException or InvalidCheckpointException itself, as from a one-thread read.
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }

            return;
        }

        ReadOnThreads(source, blocks, Math.Min(threads, blocks.Count), progress);
    }

    // Blocks taken in order by threads that exit when none is left, or as soon as one read failed.
    private static void ReadOnThreads(ICheckpointSource source, List<(Request Request, long Start, long Count)> blocks, int threads, IProgress<long>? progress)
    {
        int next = -1;
        Exception? failure = null;
        void Work()
        {
            for (int index = Interlocked.Increment(ref next); index < blocks.Count && Volatile.Read(ref failure) is null; index = Interlocked.Increment(ref next))
            {
                try
                {
                    ReadBlock(source, blocks[index].Request, blocks[index].Start, blocks[index].Count, progress);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            }
        }

        var workers = new Thread[threads - 1];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Thread(Work, maxStackSize: 256 << 10) { IsBackground = true, Name = "BrainTools source read" };
            workers[i].Start();
        }

        Work();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    private static void ReadBlock(ICheckpointSource source, Request request, long start, long count, IProgress<long>? progress)
    {
        long offset = start;
        long end = start + count;
        while (offset < end)
        {
            int read = source.ReadAt(request.FileOffset + offset, request.Destination(offset, (int)Math.Min(ReadWindow, end - offset)));
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the file shrank while it was read ({request.FileOffset + offset} of {request.FileOffset + request.Count} bytes)", source.Name, request.TreePath);
            }

            offset += read;
        }

        progress?.Report(count);
    }

    // Ranges read together into one buffer, copied to their destinations once the read is done.
    private sealed record Gathered(byte[] Buffer, long FileOffset, Request[] Members)
    {
        public void CopyOut()
        {
            foreach (Request member in Members)
            {
                Buffer.AsSpan((int)(member.FileOffset - FileOffset), (int)member.Count).CopyTo(member.Destination(0, (int)member.Count));
            }
        }
    }

    /// <summary>One range to read.</summary>
    /// <param name="FileOffset">Where in the file it starts.</param>
    /// <param name="Count">Its length.</param>
    /// <param name="Destination">Where its bytes go (offsets relative to the range's start).</param>
    /// <param name="TreePath">The tree path of what it holds, for errors.</param>
    public readonly record struct Request(long FileOffset, long Count, Destination Destination, string? TreePath);
}
