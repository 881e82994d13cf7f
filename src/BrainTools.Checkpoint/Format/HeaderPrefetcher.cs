using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Reads the index pass's next header window ahead of time, on a thread of its own, where the strides between
/// headers so far predict it: models repeat their layers, so after a few arrays the next header is where the last
/// stride (or the one before, for weight/bias pairs) says.
/// </summary>
/// <remarks>
/// <para>Why: on a kernel that flushes the TLB at every system call (page-table isolation without PCID, as on this
/// project's VMs), each 4 KiB read costs ~2 us and leaves the parser running cold afterwards, several times the
/// read itself. Made on another core, the read leaves the parsing thread warm. Correctness never depends on a
/// guess: a window is taken only when its offset and length are exactly those asked for; otherwise the caller
/// reads it.</para>
/// <para>Threads are kept for reuse (<see cref="Rent"/>, <see cref="Return"/>): starting one costs more than a
/// small file's whole index pass. A rented prefetcher spins while waiting for requests; a returned one sleeps.</para>
/// </remarks>
internal sealed class HeaderPrefetcher
{
    private const int Idle = 0;
    private const int Requested = 1;
    private const int Ready = 2;
    private const int Failed = 3;

    /// <summary>How many windows may be asked for ahead: the reads queue up while the parser works.</summary>
    public const int Depth = 4;

    // How long the parsing thread waits for a read in flight before reading itself (the thread may be descheduled).
    private const int WaitSpins = 200;

    private static readonly ConcurrentBag<HeaderPrefetcher> Pool = [];

    private readonly Slot[] _slots;
    private readonly SemaphoreSlim _wake = new(0);
    private SafeFileHandle? _handle;
    private long _bytesRead;
    private long _sequence;
    private volatile bool _active;

    private HeaderPrefetcher(int window)
    {
        _slots = [.. Enumerable.Range(0, Depth).Select(_ => new Slot(window))];
        var thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "BrainTools index prefetch" };
        thread.Start();
    }

    /// <summary>Bytes read from the file since <see cref="Rent"/>, used or not.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>A prefetcher reading from <paramref name="handle"/> until <see cref="Return"/>.</summary>
    /// <param name="handle">The file, open for reading; it must stay open until <see cref="Return"/>.</param>
    /// <param name="window">The window size asked for (at most this many bytes a request).</param>
    public static HeaderPrefetcher Rent(SafeFileHandle handle, int window)
    {
        if (!Pool.TryTake(out HeaderPrefetcher? prefetcher) || prefetcher._slots[0].Buffer.Length < window)
        {
            prefetcher = new HeaderPrefetcher(window);
        }

        prefetcher._handle = handle;
        foreach (Slot slot in prefetcher._slots)
        {
            slot.Offset = -1;
            Volatile.Write(ref slot.State, Idle);
        }

        Interlocked.Exchange(ref prefetcher._bytesRead, 0);
        prefetcher._active = true;
        prefetcher._wake.Release();
        return prefetcher;
    }

    /// <summary>Queues a read of <paramref name="size"/> bytes at <paramref name="offset"/>, unless it is queued already or no slot is free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Request(long offset, int size)
    {
        Slot? free = null;
        foreach (Slot slot in _slots)
        {
            int state = Volatile.Read(ref slot.State);
            if (slot.Offset == offset && state is Requested or Ready)
            {
                return;
            }

            // A slot not in flight is free: a window read ahead but never taken was a wrong guess.
            if (state != Requested && (free is null || slot.Sequence < free.Sequence))
            {
                free = slot;
            }
        }

        if (free is not null)
        {
            free.Offset = offset;
            free.Size = size;
            free.Sequence = ++_sequence;
            Volatile.Write(ref free.State, Requested);
        }
    }

    /// <summary>Copies the window at <paramref name="offset"/> into <paramref name="destination"/> if it was read ahead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryTake(long offset, Span<byte> destination)
    {
        foreach (Slot slot in _slots)
        {
            if (slot.Offset != offset || slot.Size != destination.Length)
            {
                continue;
            }

            int state = Volatile.Read(ref slot.State);
            for (int spins = 0; state == Requested && spins < WaitSpins; spins++)
            {
                Thread.SpinWait(8);
                state = Volatile.Read(ref slot.State);
            }

            if (state != Ready)
            {
                return false;
            }

            slot.Buffer.AsSpan(0, destination.Length).CopyTo(destination);
            slot.Offset = -1;
            Volatile.Write(ref slot.State, Idle);
            return true;
        }

        return false;
    }

    /// <summary>Ends the rent: waits for the read in flight (it uses the caller's handle), then parks the thread for reuse.</summary>
    public void Return()
    {
        _active = false;
        var spinner = default(SpinWait);
        while (_slots.Any(slot => Volatile.Read(ref slot.State) == Requested))
        {
            spinner.SpinOnce();
        }

        _handle = null;
        Pool.Add(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        while (true)
        {
            _wake.Wait();
            var spinner = default(SpinWait);
            while (_active || _slots.Any(slot => Volatile.Read(ref slot.State) == Requested))
            {
                // The oldest request first: the parser will want it first.
                Slot? next = null;
                foreach (Slot slot in _slots)
                {
                    if (Volatile.Read(ref slot.State) == Requested && (next is null || slot.Sequence < next.Sequence))
                    {
                        next = slot;
                    }
                }

                if (next is null)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                spinner.Reset();
                Volatile.Write(ref next.State, TryRead(next) ? Ready : Failed);
            }
        }
    }

    // A failed or short read is not an error here: the parsing thread reads that window itself and reports it.
    private bool TryRead(Slot slot)
    {
        long offset = slot.Offset;
        int size = slot.Size;
        try
        {
            int filled = 0;
            while (filled < size)
            {
                int read = RandomAccess.Read(_handle!, slot.Buffer.AsSpan(filled, size - filled), offset + filled);
                if (read == 0)
                {
                    return false;
                }

                filled += read;
            }

            Interlocked.Add(ref _bytesRead, size);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // One window read ahead. Offset, Size and Sequence are written by the parsing thread only while State is not
    // Requested, and read by the prefetch thread only while it is.
    private sealed class Slot(int window)
    {
        public readonly byte[] Buffer = new byte[window];
        public long Offset = -1;
        public int Size;
        public long Sequence;
        public int State;
    }
}
