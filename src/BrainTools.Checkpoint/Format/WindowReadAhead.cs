using System.Buffers;
using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Reads an index pass's predicted header windows ahead of it, on a thread-pool thread, so that the pass's own core
/// parses while another one reads. Made by <see cref="WireWindow"/> once a <see cref="HeaderPredictor"/> finds a
/// pattern, ended by <see cref="Finish"/> at the end of the pass.
/// </summary>
/// <remarks>
/// <para>A ring of windows: the pass asks for them in file order (<see cref="TryRequest"/>) and takes them in the same
/// order (<see cref="TryTake"/>). A window is taken only when its offset and size are exactly those the pass needs
/// and its read has completed; otherwise the pass reads that window itself and the one asked for is dropped.
/// Correctness never depends on a prediction, and the pass never waits for the read-ahead.</para>
/// <para>No thread of its own and none kept: a work item runs while windows are asked for and returns to the pool
/// when there are none; nothing spins, and <see cref="Finish"/> waits for nothing. After a run of
/// windows the read-ahead did not have in time (no idle core), it stops asking: the pass then reads as without it.</para>
/// </remarks>
internal sealed class WindowReadAhead : IThreadPoolWorkItem
{
    /// <summary>Windows asked for ahead at most.</summary>
    public const int Depth = 16;

    // Misses in a row (windows not read in time) after which the read-ahead gives up for the pass: enough to cover
    // a pool thread's first wake-up, few enough to bound the reads wasted when no core is idle.
    private const int GiveUpAfterMisses = 2 * Depth;

    private const int Idle = 0;
    private const int Queued = 1;
    private const int Running = 2;
    private const int Retired = 3;

    private readonly ICheckpointSource _source;
    private readonly int _windowSize;
    private readonly byte[] _buffers;
    private readonly long[] _offsets = new long[Depth];
    private readonly int[] _sizes = new int[Depth];
    private readonly bool[] _read = new bool[Depth];

    // Counters, never wrapped: windows asked for (written by the pass), windows the worker is done with (written by
    // the worker), the first window the pass still wants (written by the pass; the worker skips those before it).
    private long _requested;
    private long _done;
    private long _wanted;

    private int _state;
    private int _finished;
    private int _misses;

    /// <param name="source">The source the pass reads; a read begun before <see cref="Finish"/> may end after it.</param>
    /// <param name="windowSize">The largest window asked for.</param>
    public WindowReadAhead(ICheckpointSource source, int windowSize)
    {
        _source = source;
        _windowSize = windowSize;
        _buffers = ArrayPool<byte>.Shared.Rent(Depth * windowSize);
    }

    /// <summary>Whether the read-ahead gave up for this pass (it was too often late).</summary>
    public bool GaveUp => _misses >= GiveUpAfterMisses;

    /// <summary>Windows asked for and not yet taken or passed by.</summary>
    public int Pending => (int)(_requested - _wanted);

    /// <summary>Whether a window may be asked for now (the ring has room, and the read-ahead has not given up).</summary>
    public bool HasRoom => !GaveUp && _requested - _wanted < Depth && _requested - Volatile.Read(ref _done) < Depth;

    /// <summary>Asks for the window of <paramref name="size"/> bytes at <paramref name="offset"/>, after those asked for before it.</summary>
    /// <returns>False when there is no room (<see cref="HasRoom"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRequest(long offset, int size)
    {
        if (!HasRoom || size > _windowSize)
        {
            return false;
        }

        int slot = (int)(_requested % Depth);
        _offsets[slot] = offset;
        _sizes[slot] = size;

        // A full fence: the worker, deciding to stop, must see this request if the pass then sees it running.
        Interlocked.Increment(ref _requested);
        if (Volatile.Read(ref _state) == Idle && Interlocked.CompareExchange(ref _state, Queued, Idle) == Idle)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return true;
    }

    /// <summary>Drops every window asked for and not taken (the prediction broke).</summary>
    public void DropPending() => Volatile.Write(ref _wanted, _requested);

    /// <summary>Copies the window at <paramref name="offset"/> into <paramref name="destination"/> when it was read ahead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryTake(long offset, Span<byte> destination)
    {
        long done = Volatile.Read(ref _done);
        while (_wanted < _requested)
        {
            int slot = (int)(_wanted % Depth);
            long asked = _offsets[slot];
            if (asked > offset)
            {
                return false;
            }

            bool ready = _wanted < done;
            Volatile.Write(ref _wanted, _wanted + 1);
            if (asked < offset)
            {
                continue; // Asked for and passed by: a prediction that did not hold.
            }

            if (!ready)
            {
                // Not read yet: the pass reads it itself rather than wait.
                _misses++;
                return false;
            }

            if (_sizes[slot] == destination.Length && _read[slot])
            {
                _buffers.AsSpan(slot * _windowSize, destination.Length).CopyTo(destination);
                _misses = 0;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Ends the read-ahead: no read starts after this returns, and none is waited for. A read in progress ends on
    /// the pool thread, which then gives the buffers back; the source must stay readable that long, as a file's
    /// handle does while a read holds it.
    /// </summary>
    public void Finish()
    {
        // A full fence: a worker that takes the state back after this sees the read-ahead finished.
        Interlocked.Exchange(ref _finished, 1);

        // Queued and not yet running: the work item will find the state taken and return at once.
        Interlocked.CompareExchange(ref _state, Idle, Queued);
        Retire();
    }

    /// <summary>Reads the windows asked for, in order, until there are none; then returns the thread to the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IThreadPoolWorkItem.Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
        {
            return;
        }

        while (true)
        {
            while (Volatile.Read(ref _finished) == 0 && _done < Volatile.Read(ref _requested))
            {
                int slot = (int)(_done % Depth);
                _read[slot] = _done >= Volatile.Read(ref _wanted) && TryRead(slot);
                Volatile.Write(ref _done, _done + 1);
            }

            // Idle first, then look again: a request made meanwhile is then either seen here, or its maker sees the
            // read-ahead idle and queues it anew (one of the two wins the state). Once the state is taken back, the
            // loop above checks again that the read-ahead is not finished before it reads.
            Interlocked.Exchange(ref _state, Idle);
            if (Volatile.Read(ref _finished) != 0)
            {
                Retire();
                return;
            }

            if (_done >= Volatile.Read(ref _requested) || Interlocked.CompareExchange(ref _state, Running, Idle) != Idle)
            {
                return;
            }
        }
    }

    // Whoever finds the finished read-ahead idle first (the pass, or the worker ending its last read) gives the
    // buffers back, once.
    private void Retire()
    {
        if (Interlocked.CompareExchange(ref _state, Retired, Idle) == Idle)
        {
            ArrayPool<byte>.Shared.Return(_buffers);
        }
    }

    // A failed or short read is not an error here: the pass reads that window itself and reports what it finds.
    private bool TryRead(int slot)
    {
        Span<byte> buffer = _buffers.AsSpan(slot * _windowSize, _sizes[slot]);
        long offset = _offsets[slot];
        try
        {
            int filled = 0;
            while (filled < buffer.Length)
            {
                int read = _source.ReadAt(offset + filled, buffer[filled..]);
                if (read <= 0)
                {
                    return false;
                }

                filled += read;
            }

            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
