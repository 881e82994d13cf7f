using System.Collections.Concurrent;

namespace BrainTools.Checkpoint.Tests.Sources;

/// <summary>
/// A checkpoint source over bytes in memory that is not a local file (so nothing maps it, as for a blob): it records
/// every read, may answer with short reads, and may fail from a given read on.
/// </summary>
internal sealed class RecordingSource(byte[] data, int preferredReadSize = 4096, int maxConcurrentReads = 1) : ICheckpointSource
{
    private int _reads;
    private long _bytesServed;

    public string Name { get; init; } = "memory://checkpoint.msgpack";

    public long Length => data.Length;

    public int PreferredReadSize => preferredReadSize;

    public int MaxConcurrentReads => maxConcurrentReads;

    /// <summary>At most this many bytes per read (a network stream's short reads).</summary>
    public int MaxBytesPerRead { get; init; } = int.MaxValue;

    /// <summary>The read (0-based) from which every read throws an <see cref="IOException"/>.</summary>
    public int FailFromRead { get; init; } = int.MaxValue;

    /// <summary>The first read waits (up to 10 s, then fails) until this many reads are in flight at once.</summary>
    public int FirstReadWaitsForInFlight { get; init; } = 1;

    /// <summary>Reads made on this managed thread are slowed by <see cref="SlowBy"/> (the walk's own reads, so that a read-ahead gets ahead).</summary>
    public int SlowThread { get; init; } = -1;

    /// <summary>How long each read on <see cref="SlowThread"/> takes at least.</summary>
    public TimeSpan SlowBy { get; init; }

    /// <summary>Every read made on a thread other than <see cref="SlowThread"/> throws an <see cref="IOException"/>.</summary>
    public bool FailOtherThreads { get; init; }

    public ConcurrentQueue<(long Offset, int Count)> Reads { get; } = new();

    /// <summary>The managed thread of every read, in the order the reads were made.</summary>
    public ConcurrentQueue<int> ReadThreads { get; } = new();

    public int ReadCount => Volatile.Read(ref _reads);

    /// <summary>Bytes returned by all reads.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    public bool Disposed { get; private set; }

    public int ReadAt(long offset, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        int index = Interlocked.Increment(ref _reads) - 1;
        if (index == 0 && FirstReadWaitsForInFlight > 1 && !SpinWait.SpinUntil(() => Volatile.Read(ref _reads) >= FirstReadWaitsForInFlight, TimeSpan.FromSeconds(10)))
        {
            throw new IOException($"{FirstReadWaitsForInFlight} reads were never in flight at once");
        }

        int thread = Environment.CurrentManagedThreadId;
        ReadThreads.Enqueue(thread);
        if (thread == SlowThread)
        {
            Thread.Sleep(SlowBy);
        }
        else if (FailOtherThreads && SlowThread >= 0)
        {
            throw new IOException($"read of {Name} at {offset} refused on thread {thread}");
        }

        if (index >= FailFromRead)
        {
            throw new IOException($"connection reset reading {Name} at {offset}");
        }

        int count = (int)Math.Min(Math.Min(destination.Length, MaxBytesPerRead), Math.Max(0, data.Length - offset));
        data.AsSpan((int)offset, count).CopyTo(destination);
        Reads.Enqueue((offset, destination.Length));
        Interlocked.Add(ref _bytesServed, count);
        return count;
    }

    public void ResetCounts()
    {
        Reads.Clear();
        ReadThreads.Clear();
        Volatile.Write(ref _reads, 0);
        Interlocked.Exchange(ref _bytesServed, 0);
    }

    public void Dispose() => Disposed = true;
}
