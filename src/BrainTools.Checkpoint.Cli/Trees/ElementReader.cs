using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// Reads the elements of any dtype as doubles, in windows, for arrays of any size. A complex array is read as its
/// interleaved real and imaginary components (two per element).
/// </summary>
internal static class ElementReader
{
    /// <summary>Components per window: 64 Ki doubles (512 KiB) keeps the buffer small and the loop cheap.</summary>
    public const int Window = 1 << 16;

    /// <summary>Number of components: elements, twice that for complex.</summary>
    public static long ComponentCount(NdArray array) => array.DType.Kind == DTypeKind.Complex ? 2 * array.Length : array.Length;

    /// <summary>Reads <paramref name="destination"/>.Length components starting at component <paramref name="start"/>.</summary>
    public static void Read(NdArray array, long start, Span<double> destination)
    {
        DType dtype = array.DType;
        int size = dtype.Kind == DTypeKind.Complex ? dtype.ItemSize / 2 : dtype.ItemSize;
        ReadOnlySpan<byte> bytes = array.GetBytes(start * size, destination.Length * size);
        string name = dtype.Name;
        switch (name)
        {
            case "bool":
            case "uint8":
                Widen<byte>(bytes, destination);
                break;
            case "int8":
                Widen(MemoryMarshal.Cast<byte, sbyte>(bytes), destination);
                break;
            case "int16":
                Widen(MemoryMarshal.Cast<byte, short>(bytes), destination);
                break;
            case "uint16":
                Widen(MemoryMarshal.Cast<byte, ushort>(bytes), destination);
                break;
            case "int32":
                Widen(MemoryMarshal.Cast<byte, int>(bytes), destination);
                break;
            case "uint32":
                Widen(MemoryMarshal.Cast<byte, uint>(bytes), destination);
                break;
            case "int64":
                Widen(MemoryMarshal.Cast<byte, long>(bytes), destination);
                break;
            case "uint64":
                Widen(MemoryMarshal.Cast<byte, ulong>(bytes), destination);
                break;
            case "float16":
                Widen(MemoryMarshal.Cast<byte, Half>(bytes), destination);
                break;
            case "float32":
            case "complex64":
                Widen(MemoryMarshal.Cast<byte, float>(bytes), destination);
                break;
            case "float64":
            case "complex128":
                MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination);
                break;
            case "bfloat16":
                Convert(MemoryMarshal.Cast<byte, ushort>(bytes), destination, static v => (float)BFloat16.FromBits(v));
                break;
            case "float8_e4m3fn":
                Convert(bytes, destination, static v => (float)Float8E4M3FN.FromBits(v));
                break;
            case "float8_e5m2":
                Convert(bytes, destination, static v => (float)Float8E5M2.FromBits(v));
                break;
            default:
                throw new NotSupportedException($"dtype {name}");
        }
    }

    /// <summary>One element: its value (real part) and imaginary part (0 unless complex).</summary>
    public static bool TryRead(NdArray array, long index, out double real, out double imaginary)
    {
        real = imaginary = 0;
        if (index < 0 || index >= array.Length)
        {
            return false;
        }

        Span<double> parts = stackalloc double[2];
        bool complex = array.DType.Kind == DTypeKind.Complex;
        Read(array, complex ? 2 * index : index, parts[..(complex ? 2 : 1)]);
        real = parts[0];
        imaginary = complex ? parts[1] : 0;
        return true;
    }

    // Every value of these types is exact in a double; TensorPrimitives converts them vectorized.
    private static void Widen<T>(ReadOnlySpan<T> source, Span<double> destination)
        where T : INumberBase<T> => TensorPrimitives.ConvertTruncating(source[..destination.Length], destination);

    private static void Convert<T>(ReadOnlySpan<T> source, Span<double> destination, Func<T, double> convert)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = convert(source[i]);
        }
    }
}
