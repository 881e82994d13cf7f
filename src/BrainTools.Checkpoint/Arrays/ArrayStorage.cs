using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>
/// The memory behind one or more <see cref="NdArray"/>s: a managed .NET array, native memory, or a
/// file loaded or mapped into memory. Byte lengths are <c>long</c> so that arrays past 2 GiB work.
/// </summary>
internal abstract class ArrayStorage
{
    /// <summary>Length of the memory in bytes.</summary>
    public abstract long ByteLength { get; }

    /// <summary>Whether arrays over this memory may be written to.</summary>
    public virtual bool IsWritable => true;

    /// <summary>
    /// A reference to the first byte. The caller keeps this object alive while it uses the reference
    /// (native memory is freed by the finalizer).
    /// </summary>
    public abstract ref byte GetReference();

    /// <summary>A window of the memory as a span.</summary>
    public Span<byte> GetSpan(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > ByteLength - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        return MemoryMarshal.CreateSpan(ref Unsafe.Add(ref GetReference(), (nint)offset), length);
    }
}
