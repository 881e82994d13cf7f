using System.Buffers.Binary;
using System.Numerics;
using System.Reflection;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// numpy's <c>astype</c> for restoring into typed .NET arrays and tensors of another dtype: integers wrap as C
/// casts do, floats truncate toward zero into integers (saturating out of range; NaN gives 0), complex numbers
/// drop their imaginary part into real types, anything non-zero is <c>True</c>.
/// </summary>
/// <remarks>
/// A private stand-in, element by element, until <c>NdArray.AsType(DType)</c> (Arrays/NdArray.AsType.cs) is
/// merged; then <see cref="Convert"/> should call it.
/// </remarks>
internal static class ArrayConversion
{
    private static readonly MethodInfo ConvertNumbersMethod = typeof(ArrayConversion).GetMethod(nameof(ConvertNumbers), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static NdArray Convert(NdArray source, DType dtype)
    {
        if (source.DType == dtype)
        {
            return source;
        }

        NdArray result = NdArray.Zeros(dtype, source.Shape);
        if (IsPlainNumber(source.DType) && IsPlainNumber(dtype) && source.Length <= int.MaxValue)
        {
            // Between .NET's own number types, generic math converts a span at a time with the same rules.
            ConvertNumbersMethod.MakeGenericMethod(source.DType.ClrType, dtype.ClrType).Invoke(null, [source, result]);
            return result;
        }

        Span<byte> destination = result.AsSpan<byte>();
        int inSize = source.DType.ItemSize;
        int outSize = dtype.ItemSize;
        for (long i = 0; i < source.Length; i++)
        {
            ReadOnlySpan<byte> element = source.GetBytes(i * inSize, inSize);
            Write(dtype, destination.Slice((int)(i * outSize), outSize), Read(source.DType, element));
        }

        return result;
    }

    private static bool IsPlainNumber(DType dtype) =>
        dtype.Kind is DTypeKind.SignedInteger or DTypeKind.UnsignedInteger || dtype == DType.Float16 || dtype == DType.Float32 || dtype == DType.Float64;

    // CreateTruncating wraps integers and truncates floats toward zero, saturating (NaN gives 0), as documented above.
    private static void ConvertNumbers<TFrom, TTo>(NdArray source, NdArray destination)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        ReadOnlySpan<TFrom> from = source.AsReadOnlySpan<TFrom>();
        Span<TTo> to = destination.AsSpan<TTo>();
        for (int i = 0; i < from.Length; i++)
        {
            to[i] = TTo.CreateTruncating(from[i]);
        }
    }

    private static Element Read(DType dtype, ReadOnlySpan<byte> bytes) => dtype.Kind switch
    {
        DTypeKind.Bool => Element.FromInteger(bytes[0] != 0 ? 1 : 0),
        DTypeKind.SignedInteger => Element.FromInteger(dtype.ItemSize switch
        {
            1 => (sbyte)bytes[0],
            2 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        }),
        DTypeKind.UnsignedInteger => dtype.ItemSize == 8
            ? Element.FromUnsigned(BinaryPrimitives.ReadUInt64LittleEndian(bytes))
            : Element.FromInteger((long)ElementFormat.ToDouble(dtype, bytes)),
        DTypeKind.Complex => Element.FromComplex(ElementFormat.ToComplex(dtype, bytes)),
        _ => Element.FromFloat(ElementFormat.ToDouble(dtype, bytes)),
    };

    private static void Write(DType dtype, Span<byte> bytes, Element value)
    {
        switch (dtype.Name)
        {
            case "bool": bytes[0] = value.IsNonZero ? (byte)1 : (byte)0; break;
            case "int8": bytes[0] = unchecked((byte)value.Integer); break;
            case "uint8": bytes[0] = unchecked((byte)value.Integer); break;
            case "int16": BinaryPrimitives.WriteInt16LittleEndian(bytes, unchecked((short)value.Integer)); break;
            case "uint16": BinaryPrimitives.WriteUInt16LittleEndian(bytes, unchecked((ushort)value.Integer)); break;
            case "int32": BinaryPrimitives.WriteInt32LittleEndian(bytes, unchecked((int)value.Integer)); break;
            case "uint32": BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)value.Integer)); break;
            case "int64": BinaryPrimitives.WriteInt64LittleEndian(bytes, value.Integer); break;
            case "uint64": BinaryPrimitives.WriteUInt64LittleEndian(bytes, value.Unsigned); break;
            case "float16": BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)value.Real); break;
            case "float32": BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)value.Real); break;
            case "float64": BinaryPrimitives.WriteDoubleLittleEndian(bytes, value.Real); break;
            case "bfloat16": BinaryPrimitives.WriteUInt16LittleEndian(bytes, ((BFloat16)(float)value.Real).RawValue); break;
            case "float8_e4m3fn": bytes[0] = ((Float8E4M3FN)(float)value.Real).RawValue; break;
            case "float8_e5m2": bytes[0] = ((Float8E5M2)(float)value.Real).RawValue; break;
            case "complex64":
                BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)value.Real);
                BinaryPrimitives.WriteSingleLittleEndian(bytes[4..], (float)value.Imaginary);
                break;
            case "complex128":
                BinaryPrimitives.WriteDoubleLittleEndian(bytes, value.Real);
                BinaryPrimitives.WriteDoubleLittleEndian(bytes[8..], value.Imaginary);
                break;
            default: throw new NotSupportedException(dtype.Name);
        }
    }

    /// <summary>One element, kept exactly as an integer when it is one.</summary>
    private readonly record struct Element(bool IsExactInteger, long Integer, ulong Unsigned, double Real, double Imaginary)
    {
        public bool IsNonZero => IsExactInteger ? Unsigned != 0 : Real != 0 || Imaginary != 0;

        public static Element FromInteger(long value) => new(true, value, unchecked((ulong)value), value, 0);

        public static Element FromUnsigned(ulong value) => new(true, unchecked((long)value), value, value, 0);

        public static Element FromFloat(double value) => new(false, (long)value, unchecked((ulong)(long)value), value, 0);

        public static Element FromComplex(Complex value) => new(false, (long)value.Real, unchecked((ulong)(long)value.Real), value.Real, value.Imaginary);
    }
}
