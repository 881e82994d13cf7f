using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BrainTools.Checkpoint;

/// <summary>
/// numpy's <c>.npy</c> format (versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, a version, a header length,
/// a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded to 64 bytes, then
/// the elements. Reads numeric dtypes of either byte order and either memory order (kept as little-endian, C order),
/// and 0-d unicode / byte strings; writes little-endian C-order arrays and 0-d unicode strings.
/// </summary>
/// <remarks>Errors are <see cref="InvalidCheckpointException"/>s without a file; the npz reader adds the file and the member.</remarks>
internal static partial class NpyFormat
{
    private const int MaxHeaderLength = 1 << 20;
    private const int MaxStringWidth = 1 << 24;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly (DType DType, string Code)[] Codes =
    [
        (DType.Bool, "b1"), (DType.Int8, "i1"), (DType.UInt8, "u1"), (DType.Int16, "i2"), (DType.UInt16, "u2"),
        (DType.Int32, "i4"), (DType.UInt32, "u4"), (DType.Int64, "i8"), (DType.UInt64, "u8"),
        (DType.Float16, "f2"), (DType.Float32, "f4"), (DType.Float64, "f8"), (DType.Complex64, "c8"), (DType.Complex128, "c16"),
    ];

    /// <summary>Whether numpy has the dtype (bfloat16 and the float8 types are ml_dtypes' own).</summary>
    public static bool Supports(DType dtype) => Array.Exists(Codes, c => c.DType == dtype);

    public static void WriteArray(Stream stream, NdArray array)
    {
        string code = Array.Find(Codes, c => c.DType == array.DType).Code;
        WriteHeader(stream, (array.DType.ItemSize == 1 ? "|" : "<") + code, array.Shape.ToString());
        array.WriteTo(stream);
    }

    public static void WriteString(Stream stream, string value)
    {
        var codePoints = new List<int>(value.Length);
        foreach (Rune rune in value.EnumerateRunes())
        {
            codePoints.Add(rune.Value);
        }

        int length = Math.Max(1, codePoints.Count);
        WriteHeader(stream, $"<U{length}", "()");
        var bytes = new byte[length * 4];
        for (int i = 0; i < codePoints.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), codePoints[i]);
        }

        stream.Write(bytes);
    }

    /// <summary>Reads one <c>.npy</c> member of <paramref name="length"/> bytes: an array, a string or bytes (0-d), or null with the reason a tree cannot hold it.</summary>
    /// <exception cref="InvalidCheckpointException">The data is not a valid .npy file.</exception>
    public static StateNode? Read(Stream stream, long length, out string? unsupported) => ReadValue(stream, ReadHeader(stream, length), out unsupported);

    /// <summary>
    /// Reads and checks the header of a <c>.npy</c> member of <paramref name="length"/> bytes (negative: unknown),
    /// leaving <paramref name="stream"/> at the first element: the dtype, shape and byte length of its array are then
    /// known without reading it.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The header is not valid, or claims more bytes than the member holds.</exception>
    public static NpyHeader ReadHeader(Stream stream, long length)
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, "magic");
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new InvalidCheckpointException("not a .npy file (no \\x93NUMPY magic)");
        }

        int major = prefix[6];
        int headerLength;
        int prefixLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, "header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
            prefixLength = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, "header length");
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(len);
            headerLength = value > MaxHeaderLength ? throw new InvalidCheckpointException($"the header claims {value} bytes, more than {MaxHeaderLength}") : (int)value;
            prefixLength = 12;
        }
        else
        {
            throw new InvalidCheckpointException($"unknown .npy version {major}.{prefix[7]}");
        }

        if (length >= 0 && prefixLength + (long)headerLength > length)
        {
            throw new InvalidCheckpointException($"the header claims {headerLength} bytes, the member has {length}");
        }

        byte[] headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "header");
        string header;
        try
        {
            header = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidCheckpointException("the header is not valid UTF-8");
        }

        (string descr, bool fortran, long[] shape) = ParseHeader(header);
        if (descr.Length < 2 || descr[0] is not ('<' or '>' or '|' or '='))
        {
            throw new InvalidCheckpointException($"descr '{Shorten(descr)}' has no byte order");
        }

        string code = descr[1..];
        if (!Shape.TryGetElementCount(shape, out long count))
        {
            throw new InvalidCheckpointException($"the shape {new Shape(shape)} is too large to address");
        }

        long available = length < 0 ? long.MaxValue : length - prefixLength - headerLength;
        DType? dtype = Array.Find(Codes, c => c.Code == code).DType;
        if (dtype is not null)
        {
            if (count > long.MaxValue / dtype.ItemSize || count * dtype.ItemSize > available)
            {
                throw new InvalidCheckpointException($"{dtype} {new Shape(shape)} needs {(count > long.MaxValue / dtype.ItemSize ? "more" : (count * dtype.ItemSize).ToString(CultureInfo.InvariantCulture))} bytes, the member has {available} after its header");
            }

            if (fortran && shape.Length > 1 && count * dtype.ItemSize > int.MaxValue)
            {
                throw new InvalidCheckpointException($"a Fortran-order array of {count * dtype.ItemSize} bytes, more than the library reorders (2 GiB)");
            }
        }

        return new NpyHeader(descr, dtype, shape, fortran, dtype is null ? 0 : count * dtype.ItemSize, available);
    }

    /// <summary>Reads what follows <paramref name="header"/> (read by <see cref="ReadHeader"/> from the same stream): an array, a string or bytes (0-d), or null with the reason a tree cannot hold it.</summary>
    /// <exception cref="InvalidCheckpointException">The data is not valid for its header.</exception>
    public static StateNode? ReadValue(Stream stream, NpyHeader header, out string? unsupported)
    {
        unsupported = null;
        string descr = header.Descr;
        string code = descr[1..];
        long[] shape = header.Shape;
        bool bigEndian = descr[0] == '>';
        if (code[0] is 'U' or 'S')
        {
            return ReadString(stream, descr, code, shape, bigEndian, header.Available, out unsupported);
        }

        if (header.DType is not DType dtype)
        {
            unsupported = code[0] == 'O'
                ? "an object array (numpy pickles these; the library never unpickles)"
                : code[0] == 'V' ? $"a raw '{Shorten(descr)}' array (ml_dtypes types such as bfloat16 are saved by numpy as void)" : $"the dtype '{Shorten(descr)}'";
            return null;
        }

        long byteLength = header.ByteLength;
        ArrayStorage storage = NdArray.Allocate(byteLength, zero: false);
        const int Window = 1 << 30;
        for (long done = 0; done < byteLength; done += Window)
        {
            Span<byte> window = storage.GetSpan(done, (int)Math.Min(Window, byteLength - done));
            ReadExactly(stream, window, "data");
            if (bigEndian && dtype.ItemSize > 1)
            {
                int unit = dtype.Kind == DTypeKind.Complex ? dtype.ItemSize / 2 : dtype.ItemSize;
                for (int i = 0; i < window.Length; i += unit)
                {
                    window.Slice(i, unit).Reverse();
                }
            }
        }

        var array = new NdArray(dtype, new Shape(shape), storage, 0);
        return new StateValue(header.Fortran && shape.Length > 1 ? FortranToC(array, shape) : array);
    }

    private static StateValue? ReadString(Stream stream, string descr, string code, long[] shape, bool bigEndian, long available, out string? unsupported)
    {
        unsupported = null;
        if (shape.Length != 0)
        {
            unsupported = $"an array of strings ({Shorten(descr)}, shape {new Shape(shape)}); a tree holds single strings only";
            return null;
        }

        if (!int.TryParse(code.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int width) || width > MaxStringWidth)
        {
            throw new InvalidCheckpointException($"invalid string dtype '{Shorten(descr)}'");
        }

        int byteCount = code[0] == 'U' ? width * 4 : width;
        if (byteCount > available)
        {
            throw new InvalidCheckpointException($"'{descr}' needs {byteCount} bytes, the member has {available} after its header");
        }

        byte[] data = new byte[byteCount];
        ReadExactly(stream, data, "data");
        if (code[0] == 'S')
        {
            return new StateValue(data.AsSpan().TrimEnd((byte)0).ToArray());
        }

        var text = new StringBuilder(width);
        for (int i = 0; i < width; i++)
        {
            int value = bigEndian ? BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(i * 4)) : BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4));
            if (value == 0)
            {
                continue;
            }

            // numpy stores UCS-4 code points; a surrogate or a value past U+10FFFF is not text.
            if (!Rune.TryCreate(value, out Rune rune))
            {
                throw new InvalidCheckpointException($"the string holds {value:x8} at character {i}, which is not a Unicode code point");
            }

            text.Append(rune.ToString());
        }

        return new StateValue(text.ToString());
    }

    private static void WriteHeader(Stream stream, string descr, string shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

        // numpy pads so that magic + version + length + header is a multiple of 64, ending in '\n'.
        int total = 10 + dict.Length + 1;
        int padding = (64 - (total % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        byte[] bytes = Encoding.Latin1.GetBytes(header);
        Span<byte> prefix = stackalloc byte[10];
        Magic.CopyTo(prefix);
        prefix[6] = 1;
        prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], checked((ushort)bytes.Length));
        stream.Write(prefix);
        stream.Write(bytes);
    }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header)
    {
        Match descr = DescrPattern().Match(header);
        Match fortran = FortranPattern().Match(header);
        Match shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new InvalidCheckpointException(header.Contains("'descr': [", StringComparison.Ordinal)
                ? "a structured dtype, which the library does not read"
                : $"the header is not a numpy header: {Shorten(header.Trim())}");
        }

        string[] parts = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        long[] dims = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            dims[i] = long.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long v)
                ? v
                : throw new InvalidCheckpointException($"invalid dimension '{Shorten(parts[i])}' in the shape");
        }

        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims);
    }

    // numpy writes Fortran-order arrays with the first index varying fastest; the library keeps C order.
    private static NdArray FortranToC(NdArray source, long[] shape)
    {
        int itemSize = source.DType.ItemSize;
        ReadOnlySpan<byte> from = source.GetBytes(0, (int)source.ByteLength);
        NdArray result = NdArray.Zeros(source.DType, new Shape(shape));
        Span<byte> to = result.AsSpan<byte>();
        int rank = shape.Length;
        var index = new long[rank];
        for (long c = 0; c < source.Length; c++)
        {
            long f = 0;
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                f = (f * shape[axis]) + index[axis];
            }

            from.Slice((int)(f * itemSize), itemSize).CopyTo(to.Slice((int)(c * itemSize), itemSize));
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

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidCheckpointException($"the member ends inside its {what}");
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : $"{text[..50]}...{text[^50..]} ({text.Length} characters)";

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
