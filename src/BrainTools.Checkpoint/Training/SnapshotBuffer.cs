using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;


namespace BrainTools.Checkpoint.Training;

/// <summary>
/// The memory of one array's copy in a <see cref="SaveSnapshot"/>: a managed buffer that <see cref="Release"/> lets go
/// of as soon as the array is written. Managed rather than native on purpose: the GC keeps and reuses the memory of
/// freed large arrays, while fresh native memory has to be faulted in page by page on every save, which measured 20 to
/// 40 times slower than the copy itself on a virtual machine (see the README's async section).
/// </summary>
internal sealed class SnapshotBuffer : ArrayStorage
{
    private readonly SnapshotBufferPool? _pool;
    private long[]? _data;

    /// <summary>An uninitialised buffer of <paramref name="byteLength"/> bytes (at most 2^31 - 1 longs), from <paramref name="pool"/> when given.</summary>
    public SnapshotBuffer(long byteLength, SnapshotBufferPool? pool)
    {
        ByteLength = byteLength;
        _pool = pool;
        int length = checked((int)((byteLength + 7) / 8));
        _data = pool is null ? GC.AllocateUninitializedArray<long>(length) : pool.Rent(length);
    }

    public override long ByteLength { get; }

    public override ref byte GetReference()
    {
        long[] data = _data ?? throw new ObjectDisposedException(nameof(SnapshotBuffer));
        return ref Unsafe.As<long, byte>(ref MemoryMarshal.GetArrayDataReference(data));
    }

    /// <summary>Drops the buffer (the next GC may reuse its memory), or gives it back to the pool. Idempotent.</summary>
    public void Release()
    {
        long[]? data = Interlocked.Exchange(ref _data, null);
        if (data is not null)
        {
            _pool?.Return(data);
        }
    }
}
