using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

public sealed partial class NdArray
{
    /// <summary>
    /// The elements converted to <paramref name="dtype"/>, with numpy's <c>astype</c> rules (numpy 1.24 and
    /// ml_dtypes on x86-64), in a new array of the same shape.
    /// </summary>
    /// <param name="dtype">The element type of the result.</param>
    /// <param name="copy">
    /// When false and the array already has <paramref name="dtype"/>, the array itself is returned, as numpy's
    /// <c>astype(copy=False)</c> does; otherwise the result always owns new memory.
    /// </param>
    /// <returns>An array of <paramref name="dtype"/> and this array's shape.</returns>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>integer to integer (and bool to integer, as 0 or 1): two's complement wrap-around
    /// (<c>300</c> to uint8 is <c>44</c>, <c>-1</c> to uint16 is <c>65535</c>).</description></item>
    /// <item><description>float to integer: truncation toward zero (<c>-2.9</c> is <c>-2</c>). Values out of range
    /// and NaN/inf follow what x86-64 gives numpy: int32 and int64 get their minimum value; int8, int16, uint8
    /// and uint16 take the low bits of the int32 result (so NaN gives 0, and 40000.0 to int16 gives -25536);
    /// uint64 (and uint32 from float32/float64/complex) converts values at or above 2^63 (2^31) after subtracting
    /// that power, the rest as signed and wraps (-1.0 is the maximum, NaN is 2^63 (2^31)); uint32 from float16,
    /// bfloat16 or float8 takes the low 32 bits of the int64 result, as numpy's and ml_dtypes' scalar casts
    /// do.</description></item>
    /// <item><description>integer to float: rounded to nearest, ties to even, once (int64 to float32 does not go
    /// through float64); past the largest finite value of the type gives infinity.</description></item>
    /// <item><description>float to float: rounded to nearest, ties to even; float64 to float16 rounds once, as
    /// numpy does.</description></item>
    /// <item><description>bfloat16, float8_e4m3fn, float8_e5m2: like ml_dtypes, every conversion goes through
    /// float32 (float64 to bfloat16 rounds to float32 first); float32 to these rounds to nearest even; overflow
    /// gives infinity (bfloat16, float8_e5m2) or NaN (float8_e4m3fn, which has no infinity).</description></item>
    /// <item><description>complex to real: the real part, then the rules above (numpy warns and drops the imaginary
    /// part); real to complex: imaginary part 0; complex64 and complex128 convert each part.</description></item>
    /// <item><description>to bool: <c>x != 0</c>, so NaN is true; a complex is true when either part is
    /// non-zero.</description></item>
    /// </list>
    /// <para>Converting an array of more than 2 GiB works: the conversion runs in windows.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dtype"/> is null.</exception>
    public NdArray AsType(DType dtype, bool copy = true)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        if (dtype == DType)
        {
            return copy ? Copy() : this;
        }

        ArrayStorage storage = Allocate(checked(Length * dtype.ItemSize), zero: false);
        const int WindowElements = 1 << 20;
        for (long start = 0; start < Length; start += WindowElements)
        {
            int n = (int)Math.Min(WindowElements, Length - start);
            ElementConverter.Convert(
                DType,
                GetBytes(start * DType.ItemSize, n * DType.ItemSize),
                dtype,
                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref storage.GetReference(), (nint)(start * dtype.ItemSize)), n * dtype.ItemSize));
        }

        GC.KeepAlive(storage);
        GC.KeepAlive(_storage);
        return new NdArray(dtype, Shape, storage, 0);
    }

    /// <summary>
    /// Copies the elements into a .NET array, converting them to its element type with the rules of
    /// <see cref="AsType(DType, bool)"/>: a float64 array fills a <c>float[,]</c>, an int64 one a <c>double[]</c>.
    /// No intermediate array is made.
    /// </summary>
    /// <param name="destination">
    /// A .NET array of an element type of <see cref="DType.All"/>, either of this array's shape (<c>float[2, 3]</c> for
    /// shape <c>(2, 3)</c>) or one-dimensional with <see cref="Length"/> elements (filled in C order).
    /// </param>
    /// <exception cref="NotSupportedException">The element type is not an array element type.</exception>
    /// <exception cref="ArgumentException">The destination's shape does not fit.</exception>
    public void ConvertInto(Array destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Type elementType = destination.GetType().GetElementType()!;
        if (!DType.TryFromClrType(elementType, out DType? target))
        {
            throw new NotSupportedException($"Cannot copy array elements into {elementType}; supported: {string.Join(", ", DType.All.Select(d => d.ClrType.Name))}.");
        }

        bool flat = destination.Rank == 1 && destination.LongLength == Length;
        bool sameShape = destination.Rank == Rank && Enumerable.Range(0, Rank).All(i => destination.GetLongLength(i) == Shape[i]);
        if (!flat && !sameShape)
        {
            throw new ArgumentException($"A destination of {destination.LongLength} elements in {destination.Rank} dimensions does not fit an array of shape {Shape}.", nameof(destination));
        }

        var storage = new ManagedArrayStorage(destination, checked(destination.LongLength * target.ItemSize));
        const int WindowElements = 1 << 20;
        for (long start = 0; start < Length; start += WindowElements)
        {
            int n = (int)Math.Min(WindowElements, Length - start);
            ElementConverter.Convert(DType, GetBytes(start * DType.ItemSize, n * DType.ItemSize), target, storage.GetSpan(start * target.ItemSize, n * target.ItemSize));
        }

        GC.KeepAlive(_storage);
    }

    /// <summary>
    /// Converts the elements <paramref name="start"/> to <paramref name="start"/> + <c>destination.Length</c> - 1 (in C
    /// order) into <paramref name="destination"/>, with the rules of <see cref="AsType(DType, bool)"/>: a window of any
    /// array of any dtype read as <c>double</c>s (or <c>long</c>s, or <see cref="System.Numerics.Complex"/>), without
    /// a copy of the array. For arrays of any size: call it window by window.
    /// </summary>
    /// <typeparam name="T">An element type of <see cref="DType.All"/> (<c>double</c> is float64, <c>long</c> int64).</typeparam>
    /// <param name="start">The first element (flat index).</param>
    /// <param name="destination">Where the converted elements go; its length is how many are converted.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window passes the end of the array.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an element type.</exception>
    public void ConvertInto<T>(long start, Span<T> destination)
        where T : unmanaged
    {
        DType target = DType.Of<T>();
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (start > Length - destination.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(destination), $"Elements {start}..{start + destination.Length} pass the end of an array of {Length}.");
        }

        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        const int WindowElements = 1 << 20;
        for (int done = 0; done < destination.Length; done += WindowElements)
        {
            int n = Math.Min(WindowElements, destination.Length - done);
            ElementConverter.Convert(DType, GetBytes((start + done) * DType.ItemSize, n * DType.ItemSize), target, bytes.Slice(done * target.ItemSize, n * target.ItemSize));
        }

        GC.KeepAlive(_storage);
    }

    /// <summary>The elements converted to <typeparamref name="T"/>'s dtype (<c>float</c> is float32): <c>AsType(DType.Of&lt;T&gt;())</c>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an element type.</exception>
    public NdArray AsType<T>(bool copy = true)
        where T : unmanaged => AsType(DType.Of<T>(), copy);
}
