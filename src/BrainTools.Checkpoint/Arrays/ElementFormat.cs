using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>Reads single elements of any dtype from their little-endian bytes, for printing and arithmetic.</summary>
internal static class ElementFormat
{
    /// <summary>The element as a double (the real part for complex types, 1/0 for bool).</summary>
    public static double ToDouble(DType dtype, ReadOnlySpan<byte> element) => ToComplex(dtype, element).Real;

    /// <summary>The element as a complex number (imaginary part 0 for real types).</summary>
    /// <remarks>Read through <see cref="ElementConverter"/>: complex128 holds every dtype's value exactly but (u)int64's, which it rounds as numpy does.</remarks>
    public static Complex ToComplex(DType dtype, ReadOnlySpan<byte> element)
    {
        Span<double> parts = stackalloc double[2];
        ElementConverter.Convert(dtype, element[..dtype.ItemSize], DType.Complex128, MemoryMarshal.AsBytes(parts));
        return new Complex(parts[0], parts[1]);
    }

    /// <summary>The element as Python prints it: <c>True</c>, <c>3</c>, <c>0.5</c>, <c>(1+2j)</c>.</summary>
    public static string ToPython(DType dtype, ReadOnlySpan<byte> element) => dtype.Kind switch
    {
        DTypeKind.Bool => element[0] != 0 ? "True" : "False",
        DTypeKind.SignedInteger => (dtype == DType.Int64 ? BinaryPrimitives.ReadInt64LittleEndian(element) : (long)ToDouble(dtype, element))
            .ToString(CultureInfo.InvariantCulture),
        DTypeKind.UnsignedInteger => (dtype == DType.UInt64 ? BinaryPrimitives.ReadUInt64LittleEndian(element) : (ulong)ToDouble(dtype, element))
            .ToString(CultureInfo.InvariantCulture),
        DTypeKind.Complex => ComplexToPython(ToComplex(dtype, element)),
        _ => FloatToPython(dtype, ToDouble(dtype, element)),
    };

    private static string ComplexToPython(Complex value) => PythonFormat.Complex(value.Real, value.Imaginary);

    // A float32 printed through double would show noise digits (0.1f -> 0.10000000149011612); print it at its own precision.
    private static string FloatToPython(DType dtype, double value) => dtype == DType.Float32
        ? PythonFormat.Float(double.Parse(((float)value).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))
        : dtype == DType.Float16
            ? PythonFormat.Float(double.Parse(((Half)value).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))
            : dtype == DType.BFloat16 || dtype.ItemSize == 1
                ? MlDtypesFloat(value)
                : PythonFormat.Float(value);

    // ml_dtypes prints its types as C++ streams print a float: %g, six significant digits (1, 0.100098, 1e+10).
    // Going through Half instead would turn a bfloat16 of 1e10 into inf.
    internal static string MlDtypesFloat(double value) => double.IsNaN(value) ? "nan"
        : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf")
        : value.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
}
