using System.Numerics;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>
/// A numpy scalar (<c>np.float32(1.5)</c>, <c>np.int64(3)</c>): one element with its dtype. Saved as msgpack
/// ext type 3, distinct from a Python <c>float</c> or <c>int</c> and from a 0-d array, so it loads back as itself.
/// </summary>
public sealed class NumpyScalar : IEquatable<NumpyScalar>
{
    private readonly byte[] _bytes;

    private NumpyScalar(DType dtype, byte[] bytes)
    {
        DType = dtype;
        _bytes = bytes;
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The element's little-endian bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A scalar of the dtype of <typeparamref name="T"/> (<c>float</c> gives float32).</summary>
    public static NumpyScalar Create<T>(T value)
        where T : unmanaged => new(DType.Of<T>(), MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray());

    /// <summary>A scalar from one element's bytes.</summary>
    /// <exception cref="ArgumentException">The byte count is not the dtype's item size.</exception>
    public static NumpyScalar FromBytes(DType dtype, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        if (bytes.Length != dtype.ItemSize)
        {
            throw new ArgumentException($"A {dtype} scalar has {dtype.ItemSize} bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new NumpyScalar(dtype, bytes.ToArray());
    }

    /// <summary>The value as its dtype's element type (<see cref="DType.ClrType"/>).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the element type.</exception>
    public T GetValue<T>()
        where T : unmanaged
    {
        if (typeof(T) != DType.ClrType)
        {
            throw new InvalidOperationException($"The scalar is {DType} ({DType.ClrType.Name}), not {typeof(T).Name}.");
        }

        return MemoryMarshal.Read<T>(_bytes);
    }

    /// <summary>The value as a double (the real part of a complex, 1 or 0 for a bool).</summary>
    public double ToDouble() => ElementFormat.ToDouble(DType, _bytes);

    /// <summary>The value as a complex number.</summary>
    public Complex ToComplex() => ElementFormat.ToComplex(DType, _bytes);

    /// <summary>The scalar as a 0-d array.</summary>
    public NdArray ToNdArray() => NdArray.FromBytes(DType, Shape.Scalar, _bytes);

    /// <inheritdoc />
    public bool Equals(NumpyScalar? other) => other is not null && other.DType == DType && other.Bytes.SequenceEqual(Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NumpyScalar);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DType, ToDouble());

    /// <summary>The value as numpy prints it (<c>1.5</c>, <c>3</c>, <c>True</c>).</summary>
    public override string ToString() => ElementFormat.ToPython(DType, _bytes);
}
