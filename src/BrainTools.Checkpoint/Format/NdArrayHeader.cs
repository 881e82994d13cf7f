using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using MessagePack;

namespace BrainTools.Checkpoint.Format;

/// <summary>flax's ndarray payload, <c>[shape, dtype name, C-order bytes]</c>, up to its element bytes, checked.</summary>
internal static class NdArrayHeader
{
    /// <summary>The most dimensions an array may have (numpy's limit).</summary>
    public const int MaxRank = 64;

    // The dtype names as UTF-8, so a header finds its dtype without decoding and allocating the name.
    private static readonly (byte[] Name, DType DType)[] DTypeNames = [.. DType.All.Select(d => (Encoding.UTF8.GetBytes(d.Name), d))];

    /// <summary>
    /// Reads <c>[</c>, the shape and the dtype name, and stops before the bin value of the element bytes (checked to
    /// be one, not yet its length: <see cref="CheckBinLength"/>). Returns what is wrong, or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? Read(ref MessagePackReader reader, bool scalar, out DType? dtype, out Shape shape)
    {
        dtype = null;
        shape = default;
        if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 3)
        {
            return "an ndarray payload must be [shape, dtype, bytes]";
        }

        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            return "an ndarray shape must be a list of ints";
        }

        int rank = reader.ReadArrayHeader();
        if (rank > MaxRank || (scalar && rank != 0))
        {
            return scalar ? "a numpy scalar must have shape ()" : $"an ndarray of rank {rank} (at most {MaxRank})";
        }

        Span<long> dims = stackalloc long[rank];
        for (int i = 0; i < rank; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.Integer)
            {
                return "an ndarray shape must be a list of ints";
            }

            long d = reader.NextCode == MessagePackCode.UInt64 ? -1 : reader.ReadInt64();
            if (d < 0)
            {
                return "an ndarray has a negative or huge dimension in its shape";
            }

            dims[i] = d;
        }

        if (reader.NextMessagePackType != MessagePackType.String)
        {
            return "an ndarray dtype must be a string";
        }

        dtype = FindDType(ref reader);
        if (dtype is null)
        {
            string name = WireStrings.Decode(reader.ReadStringSequence()!.Value);
            if (!DType.TryFromName(name, out dtype))
            {
                return name == "object" ? "dtype 'object' (pickled Python objects) cannot be loaded" : $"unknown dtype '{name}'";
            }
        }

        if (reader.NextMessagePackType != MessagePackType.Binary)
        {
            return "an ndarray's data must be bytes";
        }

        if (!Shape.TryGetElementCount(dims, out long count) || count > long.MaxValue / dtype.ItemSize)
        {
            return $"the shape ({string.Join(", ", dims.ToArray())}) has more elements than can exist";
        }

        shape = new Shape(dims);
        return null;
    }

    /// <summary>Checks that the element bytes are as many as the shape and dtype need; returns what is wrong, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? CheckDataLength(DType dtype, Shape shape, long length) =>
        length == shape.ElementCount * dtype.ItemSize
            ? null
            : $"a {dtype} array of shape {shape} needs {shape.ElementCount * dtype.ItemSize} bytes, the data has {length}";

    /// <summary>Checks that the bin value at the reader (<see cref="Read"/> ended before it) claims a length a .NET span can hold; returns what is wrong, or null.</summary>
    public static string? CheckBinLength(ref MessagePackReader reader)
    {
        if (reader.NextCode != MessagePackCode.Bin32)
        {
            return null;
        }

        MessagePackReader peek = reader.CreatePeekReader();
        Span<byte> header = stackalloc byte[5];
        System.Buffers.BuffersExtensions.CopyTo(peek.ReadRaw(header.Length), header);
        long length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);

        // MessagePack-CSharp reads a bin's length as an int: say so rather than that the length is past the end.
        return length > int.MaxValue
            ? $"an ndarray's data of {length} bytes is over the 2 GiB one msgpack bin value can hold here; larger arrays are saved chunked (MsgpackOptions.MaxChunkSize)"
            : null;
    }

    /// <summary>
    /// The length a bin value at the start of <paramref name="bytes"/> claims, and the length of its header (2, 3 or 5
    /// bytes); false when the bytes do not start with a whole bin header, or the length is more than a .NET span holds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryReadBinLength(ReadOnlySpan<byte> bytes, out long length, out int headerLength)
    {
        length = 0;
        headerLength = bytes.IsEmpty ? 0 : bytes[0] switch
        {
            MessagePackCode.Bin8 => 2,
            MessagePackCode.Bin16 => 3,
            MessagePackCode.Bin32 => 5,
            _ => 0,
        };
        if (headerLength == 0 || bytes.Length < headerLength)
        {
            return false;
        }

        length = headerLength switch
        {
            2 => bytes[1],
            3 => BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]),
        };
        return length <= int.MaxValue;
    }

    // A dtype name that is one of DType.All's, compared as UTF-8 bytes; else reads nothing and returns null.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DType? FindDType(ref MessagePackReader reader)
    {
        MessagePackReader peek = reader.CreatePeekReader();
        if (!peek.TryReadStringSpan(out ReadOnlySpan<byte> name))
        {
            return null;
        }

        foreach ((byte[] known, DType dtype) in DTypeNames)
        {
            if (name.SequenceEqual(known))
            {
                reader = peek;
                return dtype;
            }
        }

        return null;
    }
}
