using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>
/// Native memory, for buffers of any size (past the 2 GiB of a managed <c>byte[]</c>) that the GC
/// need not zero or move. Freed by the finalizer once no array refers to it, or by <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class NativeArrayStorage : ArrayStorage, IDisposable
{
    private const nuint Alignment = 64;
    private byte* _pointer;

    /// <summary>Allocates uninitialised memory.</summary>
    /// <exception cref="OutOfMemoryException">The allocation failed.</exception>
    public NativeArrayStorage(long byteLength, bool zero = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        ByteLength = byteLength;
        bool large = byteLength >= MemoryAdvice.HugePageThreshold;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(byteLength, 1), large ? MemoryAdvice.HugePageSize : Alignment);
        if (large)
        {
            MemoryAdvice.UseHugePages(_pointer, (nuint)byteLength);
        }

        if (zero)
        {
            NativeMemory.Clear(_pointer, (nuint)byteLength);
        }

        if (byteLength > 0)
        {
            GC.AddMemoryPressure(byteLength);
        }
    }

    ~NativeArrayStorage() => Free();

    public override long ByteLength { get; }

    /// <summary>The start of the memory.</summary>
    public byte* Pointer => _pointer;

    public override ref byte GetReference()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return ref *_pointer;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
            if (ByteLength > 0)
            {
                GC.RemoveMemoryPressure(ByteLength);
            }
        }
    }
}
