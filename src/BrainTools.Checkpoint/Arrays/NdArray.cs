using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>
/// An n-d array as numpy holds it: a <see cref="DType"/>, a <see cref="Shape"/> and a contiguous buffer of
/// little-endian elements in C (row-major) order. Saved as msgpack ext type 1, restored from it bit for bit.
/// </summary>
/// <remarks>
/// <para>Memory: an array made by <see cref="FromArray(Array)"/> shares the .NET array it was given, so
/// changes to either are seen by both; one made by a load shares the memory the file was read into with
/// the other arrays of that load. Use <see cref="Copy"/> for an array that owns its memory.</para>
/// <para>Sizes are <c>long</c>: an array may hold more than 2 GiB. The span accessors need the bytes to fit
/// one <see cref="Span{T}"/>; the copying accessors do not.</para>
/// <para>Thread safety: reading from many threads is safe; writing while others read is not.</para>
/// </remarks>
public sealed partial class NdArray : IEquatable<NdArray>
{
    private readonly ArrayStorage _storage;
    private readonly long _byteOffset;

    internal NdArray(DType dtype, Shape shape, ArrayStorage storage, long byteOffset)
    {
        DType = dtype;
        Shape = shape;
        Length = shape.ElementCount;
        ByteLength = checked(Length * dtype.ItemSize);
        if (byteOffset < 0 || byteOffset > storage.ByteLength - ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset), "The array does not fit its storage.");
        }

        _storage = storage;
        _byteOffset = byteOffset;
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Number of dimensions (0 for a 0-d array).</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Number of bytes of the elements: <see cref="Length"/> times <see cref="DType.ItemSize"/>.</summary>
    public long ByteLength { get; }

    /// <summary>
    /// Whether the elements may be written: false for the views of a read-only mapping
    /// (<see cref="CheckpointLoadMode.MemoryMap"/> gives copy-on-write views, which are writable).
    /// </summary>
    public bool IsWritable => _storage.IsWritable;

    internal ArrayStorage Storage => _storage;

    internal long ByteOffset => _byteOffset;

    /// <summary>Creates an array of zeros.</summary>
    public static NdArray Zeros(DType dtype, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        long bytes = checked(shape.ElementCount * dtype.ItemSize);
        return new NdArray(dtype, shape, Allocate(bytes, zero: true), 0);
    }

    /// <summary>Creates an array from element bytes (copied): little-endian, C order.</summary>
    /// <exception cref="ArgumentException">The byte count is not the shape's element count times the item size.</exception>
    public static NdArray FromBytes(DType dtype, Shape shape, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        long expected = checked(shape.ElementCount * dtype.ItemSize);
        if (bytes.Length != expected)
        {
            throw new ArgumentException($"{dtype} {shape} needs {expected} bytes, got {bytes.Length}.", nameof(bytes));
        }

        ArrayStorage storage = Allocate(expected, zero: false);
        bytes.CopyTo(MemoryMarshal.CreateSpan(ref storage.GetReference(), bytes.Length));
        return new NdArray(dtype, shape, storage, 0);
    }

    /// <summary>
    /// Wraps a .NET array of elements without copying it: <c>float[]</c> becomes shape <c>(n,)</c>,
    /// <c>double[,]</c> shape <c>(rows, cols)</c>, and so on for any rank. The array is shared, not copied.
    /// </summary>
    /// <exception cref="NotSupportedException">The element type is not one of <see cref="DType.All"/>.</exception>
    public static NdArray FromArray(Array array)
    {
        ArgumentNullException.ThrowIfNull(array);
        Type elementType = array.GetType().GetElementType()!;
        if (!DType.TryFromClrType(elementType, out DType? dtype))
        {
            throw new NotSupportedException($"Arrays of {elementType} cannot be saved as an ndarray.");
        }

        var dims = new long[array.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = array.GetLongLength(i);
        }

        var shape = new Shape(dims);
        return new NdArray(dtype, shape, new ManagedArrayStorage(array, checked(array.LongLength * dtype.ItemSize)), 0);
    }

    /// <summary>Wraps <paramref name="data"/> (shared, not copied) with a shape whose element count is its length.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the array's length.</exception>
    public static NdArray FromArray<T>(T[] data, Shape shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        if (shape.ElementCount != data.LongLength)
        {
            throw new ArgumentException($"Shape {shape} needs {shape.ElementCount} elements, the array has {data.LongLength}.", nameof(shape));
        }

        DType dtype = DType.Of<T>();
        return new NdArray(dtype, shape, new ManagedArrayStorage(data, checked(data.LongLength * dtype.ItemSize)), 0);
    }

    /// <summary>Creates an array from a copy of <paramref name="values"/>, shape <c>(n,)</c> unless given.</summary>
    public static NdArray Create<T>(ReadOnlySpan<T> values, Shape? shape = null)
        where T : unmanaged
    {
        Shape actual = shape ?? new Shape((long)values.Length);
        if (actual.ElementCount != values.Length)
        {
            throw new ArgumentException($"Shape {actual} needs {actual.ElementCount} elements, got {values.Length}.", nameof(shape));
        }

        return FromBytes(DType.Of<T>(), actual, MemoryMarshal.AsBytes(values));
    }

    /// <summary>A 0-d array holding one value.</summary>
    public static NdArray Scalar<T>(T value)
        where T : unmanaged => Create(new ReadOnlySpan<T>(in value), Shape.Scalar);

    /// <summary>
    /// The elements as a span over the array's own memory (no copy). <typeparamref name="T"/> must be the
    /// dtype's element type (<see cref="DType.ClrType"/>), or <c>byte</c> for the raw bytes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The type does not match, or the array holds more than a span can.</exception>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        int count = SpanLength<T>();
        if (!_storage.IsWritable)
        {
            throw new InvalidOperationException("The array is a read-only view; use AsReadOnlySpan or Copy().");
        }

        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref Unsafe.Add(ref _storage.GetReference(), (nint)_byteOffset)), count);
    }

    /// <summary>The elements as a read-only span (no copy); as <see cref="AsSpan{T}"/> but for read-only views too.</summary>
    public ReadOnlySpan<T> AsReadOnlySpan<T>()
        where T : unmanaged => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref Unsafe.Add(ref _storage.GetReference(), (nint)_byteOffset)), SpanLength<T>());

    /// <summary>A window of the element bytes, for arrays of any size.</summary>
    /// <param name="byteOffset">Offset from the array's first byte.</param>
    /// <param name="length">Number of bytes.</param>
    public ReadOnlySpan<byte> GetBytes(long byteOffset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (byteOffset > ByteLength - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The window passes the end of the array.");
        }

        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref _storage.GetReference(), (nint)(_byteOffset + byteOffset)), length);
    }

    /// <summary>Copies the element bytes to <paramref name="destination"/>, which must be exactly <see cref="ByteLength"/> long.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length != ByteLength)
        {
            throw new ArgumentException($"The destination has {destination.Length} bytes, the array {ByteLength}.", nameof(destination));
        }

        GetBytes(0, destination.Length).CopyTo(destination);
    }

    /// <summary>Writes the element bytes to <paramref name="stream"/> in windows, for arrays of any size.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        const int Window = 1 << 30;
        for (long offset = 0; offset < ByteLength; offset += Window)
        {
            stream.Write(GetBytes(offset, (int)Math.Min(Window, ByteLength - offset)));
        }

        GC.KeepAlive(_storage);
    }

    /// <summary>A copy of this array that owns its memory.</summary>
    public NdArray Copy()
    {
        ArrayStorage storage = Allocate(ByteLength, zero: false);
        CopyBytes(this, storage, 0);
        return new NdArray(DType, Shape, storage, 0);
    }

    /// <summary>The same elements with another shape of the same element count (shares memory).</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public NdArray Reshape(Shape shape)
    {
        if (shape.ElementCount != Length)
        {
            throw new ArgumentException($"Cannot reshape an array of {Length} elements into {shape}.", nameof(shape));
        }

        return new NdArray(DType, shape, _storage, _byteOffset);
    }

    /// <summary>Whether the other array has the same dtype, shape and element bytes.</summary>
    public bool Equals(NdArray? other)
    {
        if (other is null || other.DType != DType || other.Shape != Shape)
        {
            return false;
        }

        const int Window = 1 << 30;
        for (long offset = 0; offset < ByteLength; offset += Window)
        {
            int length = (int)Math.Min(Window, ByteLength - offset);
            if (!GetBytes(offset, length).SequenceEqual(other.GetBytes(offset, length)))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NdArray);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DType, Shape, ByteLength);

    /// <summary>Allocates memory for an array: managed up to 1 GiB, native beyond (no 2 GiB limit, no GC zeroing).</summary>
    internal static ArrayStorage Allocate(long byteLength, bool zero)
    {
        if (byteLength <= 1 << 30)
        {
            // long[] keeps 8-byte alignment for every dtype.
            long[] array = zero ? new long[(byteLength + 7) / 8] : GC.AllocateUninitializedArray<long>((int)((byteLength + 7) / 8));
            return new ManagedArrayStorage(array, byteLength);
        }

        return new NativeArrayStorage(byteLength, zero);
    }

    /// <summary>Copies all bytes of <paramref name="source"/> into <paramref name="destination"/> at <paramref name="destinationOffset"/>.</summary>
    internal static void CopyBytes(NdArray source, ArrayStorage destination, long destinationOffset)
    {
        const int Window = 1 << 30;
        for (long offset = 0; offset < source.ByteLength; offset += Window)
        {
            int length = (int)Math.Min(Window, source.ByteLength - offset);
            source.GetBytes(offset, length).CopyTo(
                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination.GetReference(), (nint)(destinationOffset + offset)), length));
        }

        GC.KeepAlive(destination);
    }

    /// <summary>How many <typeparamref name="T"/> a span over the elements holds; <typeparamref name="T"/> is the element type or <c>byte</c>.</summary>
    private int SpanLength<T>()
        where T : unmanaged
    {
        if (typeof(T) != typeof(byte) && typeof(T) != DType.ClrType)
        {
            throw new InvalidOperationException($"The array holds {DType} ({DType.ClrType.Name}), not {typeof(T).Name}.");
        }

        long count = typeof(T) == typeof(byte) ? ByteLength : Length;
        return count <= int.MaxValue
            ? (int)count
            : throw new InvalidOperationException($"The array has {count} elements, more than one span can hold; use CopyTo or GetBytes in chunks.");
    }
}
