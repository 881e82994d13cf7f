using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;

namespace BrainTools.Checkpoint;

/// <summary>Reads single elements of any dtype from their little-endian bytes, for printing and arithmetic.</summary>
internal static class ElementFormat
{
    /// <summary>The element as a double (the real part for complex types, 1/0 for bool).</summary>
    public static double ToDouble(DType dtype, ReadOnlySpan<byte> element) => dtype.Name switch
    {
        "bool" => element[0] != 0 ? 1 : 0,
        "int8" => (sbyte)element[0],
        "int16" => BinaryPrimitives.ReadInt16LittleEndian(element),
        "int32" => BinaryPrimitives.ReadInt32LittleEndian(element),
        "int64" => BinaryPrimitives.ReadInt64LittleEndian(element),
        "uint8" => element[0],
        "uint16" => BinaryPrimitives.ReadUInt16LittleEndian(element),
        "uint32" => BinaryPrimitives.ReadUInt32LittleEndian(element),
        "uint64" => BinaryPrimitives.ReadUInt64LittleEndian(element),
        "float16" => (double)BinaryPrimitives.ReadHalfLittleEndian(element),
        "float32" or "complex64" => BinaryPrimitives.ReadSingleLittleEndian(element),
        "float64" or "complex128" => BinaryPrimitives.ReadDoubleLittleEndian(element),
        "bfloat16" => (float)new BFloat16(BinaryPrimitives.ReadUInt16LittleEndian(element)),
        "float8_e4m3fn" => (float)new Float8E4M3FN(element[0]),
        "float8_e5m2" => (float)new Float8E5M2(element[0]),
        _ => throw new NotSupportedException(dtype.Name),
    };

    /// <summary>The element as a complex number (imaginary part 0 for real types).</summary>
    public static Complex ToComplex(DType dtype, ReadOnlySpan<byte> element) => dtype.Name switch
    {
        "complex64" => new Complex(BinaryPrimitives.ReadSingleLittleEndian(element), BinaryPrimitives.ReadSingleLittleEndian(element[4..])),
        "complex128" => new Complex(BinaryPrimitives.ReadDoubleLittleEndian(element), BinaryPrimitives.ReadDoubleLittleEndian(element[8..])),
        _ => new Complex(ToDouble(dtype, element), 0),
    };

    /// <summary>The element as Python prints it: <c>True</c>, <c>3</c>, <c>0.5</c>, <c>(1+2j)</c>.</summary>
    public static string ToPython(DType dtype, ReadOnlySpan<byte> element) => dtype.Kind switch
    {
        DTypeKind.Bool => element[0] != 0 ? "True" : "False",
        DTypeKind.SignedInteger => (dtype == DType.Int64 ? BinaryPrimitives.ReadInt64LittleEndian(element) : (long)ToDouble(dtype, element))
            .ToString(CultureInfo.InvariantCulture),
        DTypeKind.UnsignedInteger => (dtype == DType.UInt64 ? BinaryPrimitives.ReadUInt64LittleEndian(element) : (ulong)ToDouble(dtype, element))
            .ToString(CultureInfo.InvariantCulture),
        DTypeKind.Complex => PythonFormat.Complex(ToComplex(dtype, element).Real, ToComplex(dtype, element).Imaginary),
        _ => FloatToPython(dtype, ToDouble(dtype, element)),
    };

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
