using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>
/// numpy's <c>.npy</c> format (versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, a version, a header length,
/// a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded to 64 bytes, then
/// the elements. Reads numeric dtypes of either byte order and either memory order (kept as little-endian, C order),
/// and 0-d unicode / byte strings; writes little-endian C-order arrays and 0-d unicode strings.
/// </summary>
internal static partial class NpyFormat
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly (DType DType, string Code)[] Codes =
    [
        (DType.Bool, "b1"), (DType.Int8, "i1"), (DType.UInt8, "u1"), (DType.Int16, "i2"), (DType.UInt16, "u2"),
        (DType.Int32, "i4"), (DType.UInt32, "u4"), (DType.Int64, "i8"), (DType.UInt64, "u8"),
        (DType.Float16, "f2"), (DType.Float32, "f4"), (DType.Float64, "f8"), (DType.Complex64, "c8"), (DType.Complex128, "c16"),
    ];

    /// <summary>Whether numpy has the dtype (bfloat16 and the float8 types are ml_dtypes' own).</summary>
    public static bool Supports(DType dtype) => Codes.Any(c => c.DType == dtype);

    public static void WriteArray(Stream stream, NdArray array)
    {
        string code = Codes.First(c => c.DType == array.DType).Code;
        WriteHeader(stream, (array.DType.ItemSize == 1 ? "|" : "<") + code, array.Shape.ToString());
        array.WriteTo(stream);
    }

    public static void WriteString(Stream stream, string value)
    {
        int[] codePoints = CodePoints(value);
        int length = Math.Max(1, codePoints.Length);
        WriteHeader(stream, $"<U{length}", "()");
        var bytes = new byte[length * 4];
        for (int i = 0; i < codePoints.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), codePoints[i]);
        }

        stream.Write(bytes);
    }

    /// <summary>Reads one <c>.npy</c> member: an array, a string or bytes (0-d), or null with the reason it cannot be read.</summary>
    /// <exception cref="CheckpointFormatException">The data is not a valid .npy file.</exception>
    public static StateNode? Read(Stream stream, long length, out string? unsupported)
    {
        unsupported = null;
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, "magic");
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new CheckpointFormatException("not a .npy file (no \\x93NUMPY magic)");
        }

        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, "header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, "header length");
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(len);
            headerLength = value > 1 << 20 ? throw new CheckpointFormatException($"the header claims {value} bytes") : (int)value;
        }
        else
        {
            throw new CheckpointFormatException($"unknown .npy version {major}.{prefix[7]}");
        }

        byte[] headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "header");
        string header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        (string descr, bool fortran, long[] shape) = ParseHeader(header);

        char order = descr.Length > 0 ? descr[0] : '\0'; // An empty descr ('descr': '') has no byte order either.
        string code = descr.Length > 0 ? descr[1..] : descr;
        if (order is not ('<' or '>' or '|' or '='))
        {
            throw new CheckpointFormatException($"descr '{descr}' has no byte order");
        }

        bool bigEndian = order == '>';
        if (!TryElementCount(shape, out long count))
        {
            throw new CheckpointFormatException($"the shape {new Shape(shape)} is too large");
        }

        if (code.StartsWith('U') || code.StartsWith('S'))
        {
            int width = int.TryParse(code[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int w) ? w : -1;
            if (shape.Length != 0)
            {
                unsupported = $"an array of strings ({descr}, shape {new Shape(shape)}); msgpack checkpoints hold single strings only";
                return null;
            }

            if (width < 0 || width > 1 << 24)
            {
                throw new CheckpointFormatException($"invalid string dtype '{descr}'");
            }

            byte[] data = new byte[code[0] == 'U' ? width * 4 : width];
            ReadExactly(stream, data, "data");
            if (code[0] == 'S')
            {
                return new StateValue(data.AsSpan().TrimEnd((byte)0).ToArray());
            }

            var text = new StringBuilder(width);
            for (int i = 0; i < width; i++)
            {
                int cp = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(i * 4)) : BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4));
                if (cp == 0)
                {
                    continue;
                }

                text.Append(Rune.IsValid(cp) ? char.ConvertFromUtf32(cp) : throw new CheckpointFormatException($"a '{descr}' string holds {cp:x}, which is no Unicode code point"));
            }

            return new StateValue(text.ToString().TrimEnd('\0'));
        }

        DType? dtype = Codes.FirstOrDefault(c => c.Code == code).DType;
        if (dtype is null)
        {
            unsupported = code.StartsWith('O')
                ? "an object array (numpy pickles these; the tool never unpickles)"
                : code.StartsWith('V') ? $"a raw '{descr}' array (ml_dtypes types such as bfloat16 are saved by numpy as void)" : $"the dtype '{descr}'";
            return null;
        }

        long byteLength = count * dtype.ItemSize;
        if (byteLength > int.MaxValue)
        {
            throw new CheckpointFormatException($"the array has {byteLength} bytes, more than the tool reads into one array");
        }

        if (length >= 0 && byteLength > length)
        {
            throw new CheckpointFormatException($"{dtype} {new Shape(shape)} needs {byteLength} bytes, the member has fewer");
        }

        byte[] raw = new byte[byteLength];
        ReadExactly(stream, raw, "data");
        if (bigEndian && dtype.ItemSize > 1)
        {
            int unit = dtype.Kind == DTypeKind.Complex ? dtype.ItemSize / 2 : dtype.ItemSize;
            for (int i = 0; i < raw.Length; i += unit)
            {
                raw.AsSpan(i, unit).Reverse();
            }
        }

        if (fortran && shape.Length > 1)
        {
            raw = FortranToC(raw, shape, dtype.ItemSize);
        }

        return new StateValue(NdArray.FromBytes(dtype, new Shape(shape), raw));
    }

    private static void WriteHeader(Stream stream, string descr, string shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

        // numpy pads so that magic + version + length + header is a multiple of 64, ending in '\n'.
        int total = 10 + dict.Length + 1;
        int padding = (64 - (total % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        byte[] bytes = Encoding.Latin1.GetBytes(header);
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, checked((ushort)bytes.Length));
        stream.Write(len);
        stream.Write(bytes);
    }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header)
    {
        Match descr = DescrPattern().Match(header);
        Match fortran = FortranPattern().Match(header);
        Match shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new CheckpointFormatException(header.Contains("'descr': [", StringComparison.Ordinal)
                ? "a structured dtype, which the tool does not read"
                : $"the header is not a numpy header: {header.Trim()}");
        }

        long[] dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long v)
                ? v
                : throw new CheckpointFormatException($"invalid dimension '{d}' in the shape"))
            .ToArray();
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims);
    }

    private static byte[] FortranToC(byte[] source, long[] shape, int itemSize)
    {
        var result = new byte[source.Length];
        long count = source.Length / itemSize;
        int rank = shape.Length;
        var index = new long[rank];
        for (long c = 0; c < count; c++)
        {
            // Offset of the same multi-index in Fortran order: the first index varies fastest.
            long f = 0;
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                f = (f * shape[axis]) + index[axis];
            }

            Buffer.BlockCopy(source, (int)(f * itemSize), result, (int)(c * itemSize), itemSize);
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                if (++index[axis] < shape[axis])
                {
                    break;
                }

                index[axis] = 0;
            }
        }

        return result;
    }

    private static bool TryElementCount(long[] shape, out long count)
    {
        count = 1;
        foreach (long d in shape)
        {
            if (d < 0 || (d != 0 && count > (long.MaxValue / 16) / d))
            {
                return false;
            }

            count *= d;
        }

        return true;
    }

    private static int[] CodePoints(string value)
    {
        var points = new List<int>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            points.Add(char.ConvertToUtf32(value, i));
            if (char.IsHighSurrogate(value[i]))
            {
                i++;
            }
        }

        return points.ToArray();
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new CheckpointFormatException($"the member ends inside its {what}");
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
