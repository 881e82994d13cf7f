using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// A few positional reads of one file submitted together to a Linux io_uring, in one system call, into buffers of
/// its own; a read is taken back only when its offset and length are exactly those asked for. No thread: reads of
/// pages the page cache holds complete inside the submitting call.
/// </summary>
/// <remarks>
/// <para>The ring is driven through raw system calls (io_uring_setup, io_uring_enter) and the shared rings mapped
/// into this process, as liburing does; the layouts are those of <c>linux/io_uring.h</c>.</para>
/// <para>Reads are submitted with <c>RWF_NOWAIT</c>: a page the cache does not hold fails the read at once instead
/// of handing it to a kernel worker, and the caller reads that window itself as it would have anyway. So a read is
/// normally complete when <see cref="Submit"/> returns; one still in flight is waited for before its buffer is
/// reused, before the file's handle is released, and before the ring is closed.</para>
/// <para>Rings are kept for reuse (<see cref="TryRent"/>, <see cref="Return"/>): setting one up costs several
/// system calls, more than a small file's index pass. Where io_uring is missing or refused (not Linux x64, an old
/// kernel, a sandbox), <see cref="TryRent"/> gives null and the caller reads as before.</para>
/// <para>Not thread-safe: one renter at a time.</para>
/// </remarks>
internal sealed unsafe partial class IoUringReader
{
    /// <summary>How many reads can be in the ring at once.</summary>
    public const int Depth = 32;

    private const long SysIoUringSetup = 425;
    private const long SysIoUringEnter = 426;
    private const uint EnterGetEvents = 1; // IORING_ENTER_GETEVENTS
    private const uint FeatSingleMmap = 1; // IORING_FEAT_SINGLE_MMAP
    private const byte OpRead = 22; // IORING_OP_READ
    private const uint RwfNoWait = 8; // RWF_NOWAIT
    private const long OffSqRing = 0; // IORING_OFF_SQ_RING
    private const long OffCqRing = 0x8000000; // IORING_OFF_CQ_RING
    private const long OffSqes = 0x10000000; // IORING_OFF_SQES
    private const int ProtReadWrite = 3; // PROT_READ | PROT_WRITE
    private const int MapSharedPopulate = 0x01 | 0x8000; // MAP_SHARED | MAP_POPULATE
    private const int Eintr = 4;
    private const int SqeSize = 64;
    private const int CqeSize = 16;

    private const byte Free = 0;
    private const byte InFlight = 1;
    private const byte Done = 2;

    // A few rings for opens running at the same time; a ring returned when all are taken is closed.
    private static readonly IoUringReader?[] Pool = new IoUringReader?[4];
    private static int s_unavailable;

    private readonly int _ringFd;
    private readonly int _bufferSize;
    private readonly byte* _buffers;
    private readonly void* _sqRing;
    private readonly void* _cqRing;
    private readonly nuint _sqRingBytes;
    private readonly nuint _cqRingBytes;
    private readonly byte* _sqes;
    private readonly nuint _sqesBytes;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly byte* _cqes;

    private readonly long[] _offsets = new long[Depth];
    private readonly int[] _lengths = new int[Depth];
    private readonly int[] _results = new int[Depth];
    private readonly byte[] _states = new byte[Depth];
    private int _inFlight;

    // Whether the ring stopped working (an io_uring_enter that failed): it is then used no more, and its buffers are
    // never freed while a read might still write them.
    private bool _broken;

    private SafeFileHandle? _handle;

    private IoUringReader(int ringFd, in Params p, int bufferSize)
    {
        _ringFd = ringFd;
        _bufferSize = bufferSize;
        _sqRingBytes = p.SqOff.Array + (p.SqEntries * sizeof(uint));
        _cqRingBytes = p.CqOff.Cqes + (p.CqEntries * CqeSize);
        bool single = (p.Features & FeatSingleMmap) != 0;
        if (single)
        {
            _sqRingBytes = _cqRingBytes = Math.Max(_sqRingBytes, _cqRingBytes);
        }

        _sqesBytes = p.SqEntries * SqeSize;
        _sqRing = Map(_sqRingBytes, ringFd, OffSqRing);
        _cqRing = single ? _sqRing : Map(_cqRingBytes, ringFd, OffCqRing);
        _sqes = (byte*)Map(_sqesBytes, ringFd, OffSqes);
        if (_sqRing is null || _cqRing is null || _sqes is null)
        {
            Unmap();
            throw new IOException("io_uring rings could not be mapped");
        }

        byte* sq = (byte*)_sqRing;
        byte* cq = (byte*)_cqRing;
        _sqTail = (uint*)(sq + p.SqOff.Tail);
        _sqMask = *(uint*)(sq + p.SqOff.RingMask);
        _cqHead = (uint*)(cq + p.CqOff.Head);
        _cqTail = (uint*)(cq + p.CqOff.Tail);
        _cqMask = *(uint*)(cq + p.CqOff.RingMask);
        _cqes = cq + p.CqOff.Cqes;

        // Submission queue entry i is always the ring's slot i: the indirection array maps each slot to itself.
        uint* array = (uint*)(sq + p.SqOff.Array);
        for (uint i = 0; i < p.SqEntries; i++)
        {
            array[i] = i;
        }

        _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)(Depth * bufferSize), 4096);
    }

    /// <summary>Bytes the reads since <see cref="TryRent"/> brought in, taken or not.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The largest read, in bytes.</summary>
    public int BufferSize => _bufferSize;

    /// <summary>A ring with room for reads of up to <paramref name="bufferSize"/> bytes; null where io_uring cannot be used.</summary>
    public static IoUringReader? TryRent(int bufferSize)
    {
        for (int i = 0; i < Pool.Length; i++)
        {
            IoUringReader? pooled = Interlocked.Exchange(ref Pool[i], null);
            if (pooled is not null)
            {
                if (pooled._bufferSize >= bufferSize)
                {
                    pooled.BytesRead = 0;
                    return pooled;
                }

                pooled.Close();
            }
        }

        return Volatile.Read(ref s_unavailable) != 0 ? null : TryCreate(bufferSize);
    }

    /// <summary>
    /// Asks for reads of <paramref name="lengths"/>[i] bytes at <paramref name="offsets"/>[i] of <paramref name="handle"/>:
    /// those not in the ring already are submitted together, in one system call, as far as there are free buffers.
    /// A read done but not taken that is not asked for again was a wrong guess: its buffer is reused.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Submit(SafeFileHandle handle, ReadOnlySpan<long> offsets, ReadOnlySpan<int> lengths)
    {
        if (_broken || !Hold(handle))
        {
            return;
        }

        for (int slot = 0; slot < Depth; slot++)
        {
            if (_states[slot] == Done && !IsAskedFor(slot, offsets, lengths))
            {
                _states[slot] = Free;
            }
        }

        uint tail = *_sqTail;
        int queued = 0;
        int free = 0;
        for (int i = 0; i < offsets.Length; i++)
        {
            int length = Math.Min(lengths[i], _bufferSize);
            if (Find(offsets[i], length) >= 0)
            {
                continue;
            }

            while (free < Depth && _states[free] != Free)
            {
                free++;
            }

            if (free == Depth)
            {
                break;
            }

            _offsets[free] = offsets[i];
            _lengths[free] = length;
            _states[free] = InFlight;
            Sqe* sqe = (Sqe*)(_sqes + ((tail & _sqMask) * SqeSize));
            *sqe = default;
            sqe->Opcode = OpRead;
            sqe->Fd = (int)handle.DangerousGetHandle();
            sqe->Off = (ulong)offsets[i];
            sqe->Addr = (ulong)(_buffers + ((long)free * _bufferSize));
            sqe->Len = (uint)length;
            sqe->RwFlags = RwfNoWait;
            sqe->UserData = (ulong)free;
            tail++;
            queued++;
        }

        if (queued == 0)
        {
            return;
        }

        // The kernel reads the entries once it sees the tail move.
        Volatile.Write(ref *_sqTail, tail);
        _inFlight += queued;
        int submitted = 0;
        while (submitted < queued)
        {
            long result = Enter((uint)(queued - submitted), 0, 0);
            if (result < 0)
            {
                if (Marshal.GetLastPInvokeError() == Eintr)
                {
                    continue;
                }

                // Entries the kernel has not taken stay in the ring: it is not used again.
                _broken = true;
                _inFlight -= queued - submitted;
                break;
            }

            submitted += (int)result;
        }

        Reap();
    }

    /// <summary>
    /// Copies the read of exactly <paramref name="destination"/>'s length at <paramref name="offset"/> into it, if one
    /// was submitted and read that whole length; a read still in flight is waited for.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryTake(long offset, Span<byte> destination)
    {
        for (int slot = 0; slot < Depth; slot++)
        {
            if (_states[slot] == Free || _offsets[slot] != offset || _lengths[slot] != destination.Length)
            {
                continue;
            }

            while (_states[slot] == InFlight && !_broken)
            {
                Wait();
            }

            if (_states[slot] != Done || _results[slot] != destination.Length)
            {
                return false;
            }

            new ReadOnlySpan<byte>(_buffers + ((long)slot * _bufferSize), destination.Length).CopyTo(destination);
            _states[slot] = Free;
            return true;
        }

        return false;
    }

    /// <summary>How many reads at offsets after <paramref name="offset"/> are in flight, or done whole and not yet taken.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int CountReadsAfter(long offset)
    {
        int count = 0;
        for (int slot = 0; slot < Depth; slot++)
        {
            bool usable = _states[slot] == InFlight || (_states[slot] == Done && _results[slot] == _lengths[slot]);
            count += usable && _offsets[slot] > offset ? 1 : 0;
        }

        return count;
    }

    /// <summary>Ends the rent: waits for the reads in flight, lets go of the file's handle, keeps the ring for reuse.</summary>
    /// <returns>The bytes read since <see cref="TryRent"/> (the ring may be someone else's once this returns).</returns>
    public long Return()
    {
        Drain();
        long bytesRead = BytesRead;
        if (_broken)
        {
            Close();
            return bytesRead;
        }

        Array.Clear(_states);
        for (int i = 0; i < Pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref Pool[i], this, null) is null)
            {
                return bytesRead;
            }
        }

        Close();
        return bytesRead;
    }

    private static IoUringReader? TryCreate(int bufferSize)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Volatile.Write(ref s_unavailable, 1);
            return null;
        }

        Params p = default;
        long fd;
        try
        {
            fd = Syscall(SysIoUringSetup, Depth, (long)&p, 0, 0, 0, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            fd = -1;
        }

        // ENOSYS (no io_uring), EPERM (io_uring_disabled, a seccomp filter), ENOMEM: never ask again in this process.
        if (fd < 0)
        {
            Volatile.Write(ref s_unavailable, 1);
            return null;
        }

        try
        {
            return new IoUringReader((int)fd, p, bufferSize);
        }
        catch (IOException)
        {
            _ = CloseFd((int)fd);
            Volatile.Write(ref s_unavailable, 1);
            return null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool IsAskedFor(int slot, ReadOnlySpan<long> offsets, ReadOnlySpan<int> lengths)
    {
        for (int i = 0; i < offsets.Length; i++)
        {
            if (offsets[i] == _offsets[slot] && Math.Min(lengths[i], _bufferSize) == _lengths[slot])
            {
                return true;
            }
        }

        return false;
    }

    // The slot that holds (or is reading) exactly this read; -1 if none.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(long offset, int length)
    {
        for (int slot = 0; slot < Depth; slot++)
        {
            if (_states[slot] != Free && _offsets[slot] == offset && _lengths[slot] == length)
            {
                return slot;
            }
        }

        return -1;
    }

    private static void* Map(nuint length, int fd, long offset)
    {
        void* address = MapMemory(null, length, ProtReadWrite, MapSharedPopulate, fd, offset);
        return address == (void*)-1 ? null : address;
    }

    // Holds the file's handle while reads of it are in the ring, so that its descriptor is not closed (and reused)
    // under them.
    private bool Hold(SafeFileHandle handle)
    {
        if (ReferenceEquals(_handle, handle))
        {
            return true;
        }

        Drain();
        Release();
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }

        _handle = added ? handle : null;
        return added;
    }

    private void Release()
    {
        _handle?.DangerousRelease();
        _handle = null;
    }

    // Waits until no read is in flight, then lets go of the handle.
    private void Drain()
    {
        while (_inFlight > 0 && !_broken)
        {
            Wait();
        }

        if (!_broken)
        {
            Release();
        }
    }

    private void Wait()
    {
        Reap();
        if (_inFlight == 0)
        {
            return;
        }

        if (Enter(0, 1, EnterGetEvents) < 0 && Marshal.GetLastPInvokeError() != Eintr)
        {
            _broken = true;
            return;
        }

        Reap();
    }

    // Moves completions from the completion queue to their slots.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Reap()
    {
        uint head = *_cqHead;
        uint tail = Volatile.Read(ref *_cqTail);
        while (head != tail)
        {
            Cqe* cqe = (Cqe*)(_cqes + ((head & _cqMask) * CqeSize));
            int slot = (int)cqe->UserData;
            _results[slot] = cqe->Res;
            _states[slot] = Done;
            if (cqe->Res > 0)
            {
                BytesRead += cqe->Res;
            }

            _inFlight--;
            head++;
        }

        Volatile.Write(ref *_cqHead, head);
    }

    private long Enter(uint toSubmit, uint minComplete, uint flags) =>
        Syscall(SysIoUringEnter, _ringFd, toSubmit, minComplete, flags, 0, 8 /* _NSIG / 8 */);

    private void Close()
    {
        Drain();
        Unmap();
        _ = CloseFd(_ringFd);

        // No read is submitted once the ring is closed; those in flight hold the file themselves.
        Release();

        // A broken ring may still have reads in flight: its buffers are left to the process rather than freed under them.
        if (!_broken)
        {
            NativeMemory.AlignedFree(_buffers);
        }
    }

    private void Unmap()
    {
        if (_sqes is not null)
        {
            _ = UnmapMemory(_sqes, _sqesBytes);
        }

        if (_cqRing is not null && _cqRing != _sqRing)
        {
            _ = UnmapMemory(_cqRing, _cqRingBytes);
        }

        if (_sqRing is not null)
        {
            _ = UnmapMemory(_sqRing, _sqRingBytes);
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* MapMemory(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int UnmapMemory(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int CloseFd(int fd);

    // struct io_uring_sqe (64 bytes), the fields a read uses.
    [StructLayout(LayoutKind.Explicit, Size = SqeSize)]
    private struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Off;
        [FieldOffset(16)] public ulong Addr;
        [FieldOffset(24)] public uint Len;
        [FieldOffset(28)] public uint RwFlags;
        [FieldOffset(32)] public ulong UserData;
    }

    // struct io_uring_cqe (16 bytes).
    [StructLayout(LayoutKind.Sequential)]
    private struct Cqe
    {
        public ulong UserData;
        public int Res;
        public uint Flags;
    }

    // struct io_sqring_offsets (40 bytes).
    [StructLayout(LayoutKind.Sequential)]
    private struct SqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Flags;
        public uint Dropped;
        public uint Array;
        public uint Resv1;
        public ulong UserAddr;
    }

    // struct io_cqring_offsets (40 bytes).
    [StructLayout(LayoutKind.Sequential)]
    private struct CqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Overflow;
        public uint Cqes;
        public uint Flags;
        public uint Resv1;
        public ulong UserAddr;
    }

    // struct io_uring_params (120 bytes).
    [StructLayout(LayoutKind.Sequential)]
    private struct Params
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public uint Resv0;
        public uint Resv1;
        public uint Resv2;
        public SqRingOffsets SqOff;
        public CqRingOffsets CqOff;
    }
}
