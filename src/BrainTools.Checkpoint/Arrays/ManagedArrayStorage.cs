using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>A .NET array of primitive elements (<c>float[]</c>, <c>double[,]</c>, ...) used in place, without a copy.</summary>
internal sealed class ManagedArrayStorage : ArrayStorage
{
    private readonly Array _array;

    public ManagedArrayStorage(Array array, long byteLength)
    {
        _array = array;
        ByteLength = byteLength;
    }

    /// <summary>The array this storage wraps.</summary>
    public Array Array => _array;

    public override long ByteLength { get; }

    // For a multi-dimensional array this is its first element; .NET lays them out row-major, like numpy's C order.
    public override ref byte GetReference() => ref MemoryMarshal.GetArrayDataReference(_array);
}
