using System.Numerics;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Converts a saved leaf to the .NET type of a template's scalar: Python ints to any integer type that holds the
/// value (range-checked), ints and floats to any floating type, numpy scalars by their kind, strings, bytes and
/// enums (from their number or name). A float is never read as an integer: that would lose data.
/// </summary>
internal static class ScalarConversion
{
    private static readonly HashSet<Type> Scalars =
    [
        typeof(bool), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(nint), typeof(nuint), typeof(Int128), typeof(UInt128), typeof(BigInteger), typeof(char),
        typeof(Half), typeof(float), typeof(double), typeof(decimal), typeof(Complex), typeof(Complex64),
        typeof(BFloat16), typeof(Float8E4M3FN), typeof(Float8E5M2),
        typeof(string), typeof(byte[]), typeof(ReadOnlyMemory<byte>), typeof(NumpyScalar), typeof(ExtensionValue),
    ];

    /// <summary>Whether <paramref name="type"/> is restored as a leaf by <see cref="TryConvert"/>.</summary>
    public static bool IsScalar(Type type) => Scalars.Contains(type) || type.IsEnum || (Nullable.GetUnderlyingType(type) is { } inner && IsScalar(inner));

    /// <summary>Converts the leaf's value to <paramref name="type"/>; false when it is of another kind or out of range.</summary>
    public static bool TryConvert(StateNode node, Type type, out object? result)
    {
        result = null;
        if (node is not StateValue leaf)
        {
            return false;
        }

        object? value = leaf.Value;
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return value is null || TryConvert(node, inner, out result);
        }

        if (value is not null && type.IsInstanceOfType(value))
        {
            result = value;
            return true;
        }

        if (value is null)
        {
            // None fills a string or bytes template as null; a number needs a value.
            return !type.IsValueType;
        }

        if (type.IsEnum)
        {
            return TryConvertEnum(value, type, out result);
        }

        if (type == typeof(ReadOnlyMemory<byte>))
        {
            result = value is byte[] bytes ? new ReadOnlyMemory<byte>(bytes) : null;
            return result is not null;
        }

        if (type == typeof(char))
        {
            result = value is string { Length: 1 } s ? s[0] : null;
            return result is not null;
        }

        if (value is NumpyScalar scalar)
        {
            value = Unwrap(scalar);
        }

        try
        {
            result = value switch
            {
                long l => FromInteger(l, type),
                ulong u => FromInteger(u, type),
                BigInteger big => FromInteger(big, type),
                double d => FromFloat(d, type),
                Complex c => type == typeof(Complex64) ? (Complex64)c : null,
                _ => null,
            };
        }
        catch (OverflowException)
        {
            result = null;
        }

        return result is not null;
    }

    private static object Unwrap(NumpyScalar scalar) => scalar.DType.Kind switch
    {
        DTypeKind.Bool => scalar.GetValue<bool>(),
        DTypeKind.Complex => scalar.ToComplex(),
        DTypeKind.Float => scalar.ToDouble(),
        _ when scalar.DType == DType.UInt64 => scalar.GetValue<ulong>(),
        _ when scalar.DType == DType.Int64 => scalar.GetValue<long>(),
        _ => (long)scalar.ToDouble(),
    };

    private static bool TryConvertEnum(object? value, Type type, out object? result)
    {
        result = null;
        if (value is string name)
        {
            return Enum.TryParse(type, name, ignoreCase: false, out result);
        }

        if (value is NumpyScalar scalar)
        {
            value = Unwrap(scalar);
        }

        try
        {
            object? number = value switch
            {
                long l => FromInteger(l, Enum.GetUnderlyingType(type)),
                ulong u => FromInteger(u, Enum.GetUnderlyingType(type)),
                _ => null,
            };
            result = number is null ? null : Enum.ToObject(type, number);
        }
        catch (OverflowException)
        {
            result = null;
        }

        return result is not null;
    }

    // The casts from BigInteger are checked: out of range throws OverflowException.
    private static object? FromInteger(BigInteger v, Type type) =>
        type == typeof(int) ? (int)v
        : type == typeof(long) ? (long)v
        : type == typeof(double) ? (double)v
        : type == typeof(float) ? (float)v
        : type == typeof(sbyte) ? (sbyte)v
        : type == typeof(byte) ? (byte)v
        : type == typeof(short) ? (short)v
        : type == typeof(ushort) ? (ushort)v
        : type == typeof(uint) ? (uint)v
        : type == typeof(ulong) ? (ulong)v
        : type == typeof(nint) ? (nint)(long)v
        : type == typeof(nuint) ? (nuint)(ulong)v
        : type == typeof(Int128) ? (Int128)v
        : type == typeof(UInt128) ? (UInt128)v
        : type == typeof(BigInteger) ? v
        : type == typeof(decimal) ? (decimal)v
        : type == typeof(Half) ? (Half)(double)v
        : type == typeof(Complex) ? new Complex((double)v, 0)
        : type == typeof(Complex64) ? new Complex64((float)v, 0)
        : type == typeof(BFloat16) ? (BFloat16)(float)v
        : type == typeof(Float8E4M3FN) ? (Float8E4M3FN)(float)v
        : type == typeof(Float8E5M2) ? (Float8E5M2)(float)v
        : null;

    private static object? FromFloat(double d, Type type) =>
        type == typeof(double) ? d
        : type == typeof(float) ? (float)d
        : type == typeof(Half) ? (Half)d
        : type == typeof(decimal) ? (decimal)d
        : type == typeof(Complex) ? new Complex(d, 0)
        : type == typeof(Complex64) ? new Complex64((float)d, 0)
        : type == typeof(BFloat16) ? (BFloat16)(float)d
        : type == typeof(Float8E4M3FN) ? (Float8E4M3FN)(float)d
        : type == typeof(Float8E5M2) ? (Float8E5M2)(float)d
        : null;
}
