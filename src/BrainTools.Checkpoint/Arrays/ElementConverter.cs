using System.Numerics;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>
/// Converts elements between dtypes with numpy's <c>astype</c> rules (see <see cref="NdArray.AsType"/> for the
/// rules). Works on windows of element bytes, so callers can convert arrays of any size, or straight into a
/// destination they own (a typed .NET array) without an intermediate array.
/// </summary>
/// <remarks>
/// Each block of elements is read into one of three intermediate forms (integers as <see cref="Int128"/>, which
/// holds every int64 and uint64 exactly; floats as <c>double</c>, which holds every float16/32/64, bfloat16 and
/// float8 value exactly; complex as two doubles) and written from there, so the code has one reader per source
/// dtype and one writer per target dtype instead of one loop per pair.
/// </remarks>
internal static class ElementConverter
{
    private const int Block = 4096;
    private const double TwoTo31 = 2147483648.0;
    private const double TwoTo63 = 9223372036854775808.0;

    /// <summary>
    /// Converts <c>source.Length / from.ItemSize</c> elements of dtype <paramref name="from"/> into
    /// <paramref name="destination"/> as dtype <paramref name="to"/>. Bytes are little-endian element bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths are not whole elements, or differ in element count.</exception>
    public static void Convert(DType from, ReadOnlySpan<byte> source, DType to, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        int count = source.Length / from.ItemSize;
        if (source.Length % from.ItemSize != 0 || destination.Length != (long)count * to.ItemSize)
        {
            throw new ArgumentException($"{source.Length} bytes of {from} do not convert into {destination.Length} bytes of {to}.", nameof(destination));
        }

        if (from == to)
        {
            source.CopyTo(destination);
            return;
        }

        if (from.Kind == DTypeKind.Complex && to.Kind == DTypeKind.Complex)
        {
            ConvertComplex(from, source, to, destination);
            return;
        }

        Int128[]? integers = null;
        double[]? real = null;
        double[]? imaginary = null;
        try
        {
            for (int start = 0; start < count; start += Block)
            {
                int n = Math.Min(Block, count - start);
                ReadOnlySpan<byte> src = source.Slice(start * from.ItemSize, n * from.ItemSize);
                Span<byte> dst = destination.Slice(start * to.ItemSize, n * to.ItemSize);
                switch (from.Kind)
                {
                    case DTypeKind.Bool or DTypeKind.SignedInteger or DTypeKind.UnsignedInteger:
                        integers ??= System.Buffers.ArrayPool<Int128>.Shared.Rent(Block);
                        ReadIntegers(from, src, integers.AsSpan(0, n));
                        WriteIntegers(integers.AsSpan(0, n), to, dst);
                        break;
                    case DTypeKind.Float:
                        real ??= System.Buffers.ArrayPool<double>.Shared.Rent(Block);
                        ReadFloats(from, src, real.AsSpan(0, n));
                        WriteFloats(real.AsSpan(0, n), IsScalarLoop(from), to, dst);
                        break;
                    default:
                        real ??= System.Buffers.ArrayPool<double>.Shared.Rent(Block);
                        imaginary ??= System.Buffers.ArrayPool<double>.Shared.Rent(Block);
                        ReadComplex(from, src, real.AsSpan(0, n), imaginary.AsSpan(0, n));
                        if (to == DType.Bool)
                        {
                            // A complex is true when either part is non-zero.
                            for (int i = 0; i < n; i++)
                            {
                                dst[i] = real[i] != 0 || imaginary[i] != 0 ? (byte)1 : (byte)0;
                            }
                        }
                        else
                        {
                            WriteFloats(real.AsSpan(0, n), scalarLoop: false, to, dst);
                        }

                        break;
                }
            }
        }
        finally
        {
            if (integers is not null)
            {
                System.Buffers.ArrayPool<Int128>.Shared.Return(integers);
            }

            if (real is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(real);
            }

            if (imaginary is not null)
            {
                System.Buffers.ArrayPool<double>.Shared.Return(imaginary);
            }
        }
    }

    // x86's cvttsd2si: truncation toward zero; NaN and anything out of range give the "integer indefinite" value, the minimum.
    private static int TruncateToInt32(double value) => value > -TwoTo31 - 1 && value < TwoTo31 ? (int)value : int.MinValue;

    private static long TruncateToInt64(double value) => value >= -TwoTo63 && value < TwoTo63 ? (long)value : long.MinValue;

    // What compilers emit for double -> unsigned on x86-64 (and numpy's loops run): values from 2^(n-1) up are
    // shifted into the signed range first; anything below converts as signed and wraps.
    private static ulong ToUInt64(double value) => value >= TwoTo63 ? (ulong)TruncateToInt64(value - TwoTo63) ^ (1UL << 63) : (ulong)TruncateToInt64(value);

    private static uint ToUInt32(double value) => value >= TwoTo31 ? (uint)TruncateToInt32(value - TwoTo31) ^ (1U << 31) : (uint)TruncateToInt32(value);

    // numpy converts float16 with scalar C casts; ml_dtypes converts bfloat16 and float8 through a scalar float cast too.
    private static bool IsScalarLoop(DType from) => from == DType.Float16 || from == DType.BFloat16 || from.ItemSize == 1;

    private static void ReadIntegers(DType from, ReadOnlySpan<byte> src, Span<Int128> dst)
    {
        switch (from.Name)
        {
            case "bool":
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = src[i] != 0 ? 1 : 0;
                }

                break;
            case "int8": Widen(MemoryMarshal.Cast<byte, sbyte>(src), dst); break;
            case "int16": Widen(MemoryMarshal.Cast<byte, short>(src), dst); break;
            case "int32": Widen(MemoryMarshal.Cast<byte, int>(src), dst); break;
            case "int64": Widen(MemoryMarshal.Cast<byte, long>(src), dst); break;
            case "uint8": Widen(src, dst); break;
            case "uint16": Widen(MemoryMarshal.Cast<byte, ushort>(src), dst); break;
            case "uint32": Widen(MemoryMarshal.Cast<byte, uint>(src), dst); break;
            default: Widen(MemoryMarshal.Cast<byte, ulong>(src), dst); break;
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> src, Span<Int128> dst)
        where T : IBinaryInteger<T>
    {
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = Int128.CreateTruncating(src[i]);
        }
    }

    private static void ReadFloats(DType from, ReadOnlySpan<byte> src, Span<double> dst)
    {
        switch (from.Name)
        {
            case "float16":
                ReadOnlySpan<Half> halves = MemoryMarshal.Cast<byte, Half>(src);
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = (double)halves[i];
                }

                break;
            case "float32":
                ReadOnlySpan<float> singles = MemoryMarshal.Cast<byte, float>(src);
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = singles[i];
                }

                break;
            case "float64":
                MemoryMarshal.Cast<byte, double>(src).CopyTo(dst);
                break;
            case "bfloat16":
                ReadOnlySpan<ushort> bf = MemoryMarshal.Cast<byte, ushort>(src);
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = (float)new BFloat16(bf[i]);
                }

                break;
            case "float8_e4m3fn":
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = (float)new Float8E4M3FN(src[i]);
                }

                break;
            default:
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = (float)new Float8E5M2(src[i]);
                }

                break;
        }
    }

    private static void ReadComplex(DType from, ReadOnlySpan<byte> src, Span<double> real, Span<double> imaginary)
    {
        if (from == DType.Complex64)
        {
            ReadOnlySpan<float> parts = MemoryMarshal.Cast<byte, float>(src);
            for (int i = 0; i < real.Length; i++)
            {
                real[i] = parts[2 * i];
                imaginary[i] = parts[(2 * i) + 1];
            }

            return;
        }

        ReadOnlySpan<double> wide = MemoryMarshal.Cast<byte, double>(src);
        for (int i = 0; i < real.Length; i++)
        {
            real[i] = wide[2 * i];
            imaginary[i] = wide[(2 * i) + 1];
        }
    }

    private static void ConvertComplex(DType from, ReadOnlySpan<byte> source, DType to, Span<byte> destination)
    {
        if (from == DType.Complex64)
        {
            // complex64 -> complex128: each float part widens exactly.
            ReadOnlySpan<float> narrow = MemoryMarshal.Cast<byte, float>(source);
            Span<double> wide = MemoryMarshal.Cast<byte, double>(destination);
            for (int i = 0; i < narrow.Length; i++)
            {
                wide[i] = narrow[i];
            }
        }
        else
        {
            ReadOnlySpan<double> wide = MemoryMarshal.Cast<byte, double>(source);
            Span<float> narrow = MemoryMarshal.Cast<byte, float>(destination);
            for (int i = 0; i < wide.Length; i++)
            {
                narrow[i] = (float)wide[i];
            }
        }
    }

    private static void WriteIntegers(ReadOnlySpan<Int128> src, DType to, Span<byte> dst)
    {
        switch (to.Name)
        {
            case "bool":
                for (int i = 0; i < src.Length; i++)
                {
                    dst[i] = src[i] != 0 ? (byte)1 : (byte)0;
                }

                break;
            case "int8": Narrow(src, MemoryMarshal.Cast<byte, sbyte>(dst)); break;
            case "int16": Narrow(src, MemoryMarshal.Cast<byte, short>(dst)); break;
            case "int32": Narrow(src, MemoryMarshal.Cast<byte, int>(dst)); break;
            case "int64": Narrow(src, MemoryMarshal.Cast<byte, long>(dst)); break;
            case "uint8": Narrow(src, dst); break;
            case "uint16": Narrow(src, MemoryMarshal.Cast<byte, ushort>(dst)); break;
            case "uint32": Narrow(src, MemoryMarshal.Cast<byte, uint>(dst)); break;
            case "uint64": Narrow(src, MemoryMarshal.Cast<byte, ulong>(dst)); break;
            case "float32":
                // Straight from the 64-bit integer: going through double would round twice.
                Span<float> singles = MemoryMarshal.Cast<byte, float>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    singles[i] = src[i] < 0 ? (float)(long)src[i] : (float)(ulong)src[i];
                }

                break;
            case "complex64":
                Span<float> pairs = MemoryMarshal.Cast<byte, float>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    pairs[2 * i] = src[i] < 0 ? (float)(long)src[i] : (float)(ulong)src[i];
                    pairs[(2 * i) + 1] = 0;
                }

                break;
            default:
                // float64, complex128, float16: one rounding to double (float16's range ends far below 2^53, where
                // double starts to round, so it cannot tell). bfloat16 and float8: ml_dtypes rounds the integer to
                // float32 first; that float is exact in double, and WriteFloats takes it from there.
                bool viaFloat = to == DType.BFloat16 || to.ItemSize == 1;
                double[] doubles = System.Buffers.ArrayPool<double>.Shared.Rent(src.Length);
                try
                {
                    for (int i = 0; i < src.Length; i++)
                    {
                        doubles[i] = viaFloat
                            ? (src[i] < 0 ? (float)(long)src[i] : (float)(ulong)src[i])
                            : (src[i] < 0 ? (long)src[i] : (double)(ulong)src[i]);
                    }

                    WriteFloats(doubles.AsSpan(0, src.Length), scalarLoop: false, to, dst);
                }
                finally
                {
                    System.Buffers.ArrayPool<double>.Shared.Return(doubles);
                }

                break;
        }
    }

    private static void Narrow<T>(ReadOnlySpan<Int128> src, Span<T> dst)
        where T : IBinaryInteger<T>
    {
        // Two's complement wrap-around, as C and numpy convert between integer types.
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = T.CreateTruncating(src[i]);
        }
    }

    private static void WriteFloats(ReadOnlySpan<double> src, bool scalarLoop, DType to, Span<byte> dst)
    {
        switch (to.Kind)
        {
            case DTypeKind.Bool:
                for (int i = 0; i < src.Length; i++)
                {
                    dst[i] = src[i] != 0 ? (byte)1 : (byte)0; // NaN != 0: true, as in numpy.
                }

                return;
            case DTypeKind.SignedInteger or DTypeKind.UnsignedInteger:
                WriteFloatsAsIntegers(src, scalarLoop, to, dst);
                return;
            case DTypeKind.Complex:
                if (to == DType.Complex64)
                {
                    Span<float> pairs = MemoryMarshal.Cast<byte, float>(dst);
                    for (int i = 0; i < src.Length; i++)
                    {
                        pairs[2 * i] = (float)src[i];
                        pairs[(2 * i) + 1] = 0;
                    }
                }
                else
                {
                    Span<double> pairs = MemoryMarshal.Cast<byte, double>(dst);
                    for (int i = 0; i < src.Length; i++)
                    {
                        pairs[2 * i] = src[i];
                        pairs[(2 * i) + 1] = 0;
                    }
                }

                return;
        }

        switch (to.Name)
        {
            case "float16":
                Span<Half> halves = MemoryMarshal.Cast<byte, Half>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    halves[i] = (Half)src[i]; // One rounding from double, as numpy's npy_double_to_half.
                }

                break;
            case "float32":
                Span<float> singles = MemoryMarshal.Cast<byte, float>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    singles[i] = (float)src[i];
                }

                break;
            case "float64":
                src.CopyTo(MemoryMarshal.Cast<byte, double>(dst));
                break;

            // ml_dtypes converts every other type to its formats through float32 (CastToFloat), so do we.
            case "bfloat16":
                Span<ushort> bf = MemoryMarshal.Cast<byte, ushort>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    bf[i] = ((BFloat16)(float)src[i]).RawValue;
                }

                break;
            case "float8_e4m3fn":
                for (int i = 0; i < src.Length; i++)
                {
                    dst[i] = ((Float8E4M3FN)(float)src[i]).RawValue;
                }

                break;
            default:
                for (int i = 0; i < src.Length; i++)
                {
                    dst[i] = ((Float8E5M2)(float)src[i]).RawValue;
                }

                break;
        }
    }

    private static void WriteFloatsAsIntegers(ReadOnlySpan<double> src, bool scalarLoop, DType to, Span<byte> dst)
    {
        // The rule is picked once per block; the loops stay free of dtype checks.
        switch (to.Name)
        {
            case "int64":
                Span<long> longs = MemoryMarshal.Cast<byte, long>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    longs[i] = TruncateToInt64(src[i]);
                }

                break;
            case "uint64":
                Span<ulong> ulongs = MemoryMarshal.Cast<byte, ulong>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    ulongs[i] = ToUInt64(src[i]);
                }

                break;
            case "uint32":
                Span<uint> uints = MemoryMarshal.Cast<byte, uint>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    uints[i] = scalarLoop ? (uint)TruncateToInt64(src[i]) : ToUInt32(src[i]);
                }

                break;
            case "int32":
                Span<int> ints = MemoryMarshal.Cast<byte, int>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    ints[i] = TruncateToInt32(src[i]);
                }

                break;
            case "int16" or "uint16":
                Span<ushort> shorts = MemoryMarshal.Cast<byte, ushort>(dst);
                for (int i = 0; i < src.Length; i++)
                {
                    shorts[i] = (ushort)TruncateToInt32(src[i]);
                }

                break;
            default:
                for (int i = 0; i < src.Length; i++)
                {
                    dst[i] = (byte)TruncateToInt32(src[i]);
                }

                break;
        }
    }
}
