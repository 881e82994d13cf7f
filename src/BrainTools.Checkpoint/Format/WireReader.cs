using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using MessagePack;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Reads the wire format into a state-dict tree, validating as it goes: every length is checked against the
/// bytes that remain before anything is allocated, nesting is bounded, strings must be valid UTF-8, array
/// payloads must match their shape and dtype. Anything else is an <see cref="InvalidCheckpointException"/>.
/// </summary>
/// <remarks>
/// When the data lives in an <see cref="ArrayStorage"/>, arrays are views of it (no copy); otherwise each
/// array is copied once into memory of its own.
/// </remarks>
internal sealed class WireReader
{
    private const int MaxRank = 64;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // The dtype names as UTF-8, so an ndarray header finds its dtype without decoding and allocating the name.
    private static readonly (byte[] Name, DType DType)[] DTypeNames = [.. DType.All.Select(d => (Encoding.UTF8.GetBytes(d.Name), d))];

    private readonly ReadOnlySequence<byte> _data;
    private readonly ArrayStorage? _storage;
    private readonly int _maxDepth;
    private readonly List<string> _path = [];

    /// <param name="data">The bytes of one checkpoint.</param>
    /// <param name="storage">The memory <paramref name="data"/> was made over (offset 0 = its start), for zero-copy arrays; or null to copy.</param>
    /// <param name="options">Limits.</param>
    public WireReader(ReadOnlySequence<byte> data, ArrayStorage? storage, MsgpackOptions options)
    {
        _data = data;
        _storage = storage;
        _maxDepth = options.MaxDepth;
    }

    /// <summary>Reads the one value the data holds; trailing bytes are an error.</summary>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint (without a file name).</exception>
    public StateNode ReadRoot()
    {
        if (_data.IsEmpty)
        {
            throw new InvalidCheckpointException("the data is empty", null, ".");
        }

        var reader = new MessagePackReader(_data);
        try
        {
            StateNode root = ReadNode(ref reader, 0);
            if (!reader.End)
            {
                throw Invalid($"{_data.Length - reader.Consumed} bytes follow the end of the checkpoint");
            }

            return root;
        }
        catch (InvalidCheckpointException)
        {
            throw;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or DecoderFallbackException or OverflowException or ArgumentException)
        {
            throw Invalid(Describe(e, reader.Consumed), e);
        }
    }

    private static string Describe(Exception e, long offset) => e switch
    {
        EndOfStreamException => $"the data ends early (truncated) near byte {offset}",

        DecoderFallbackException => $"a string is not valid UTF-8 near byte {offset}",

        // MessagePackReader slices a bin or str by its claimed length; a claim past the end fails the slice.
        ArgumentOutOfRangeException => $"a length claims more bytes than the data holds near byte {offset}",
        _ => $"{e.Message.TrimEnd('.')} near byte {offset}",
    };

    private StateNode ReadNode(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                return ReadMap(ref reader, depth + 1);
            case MessagePackType.Nil:
                reader.ReadNil();
                return StateValue.Null;
            case MessagePackType.Boolean:
                return new StateValue(reader.ReadBoolean());
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 ? new StateValue(reader.ReadUInt64()) : new StateValue(reader.ReadInt64());
            case MessagePackType.Float:
                return new StateValue(reader.ReadDouble());
            case MessagePackType.String:
                return new StateValue(ReadString(ref reader));
            case MessagePackType.Binary:
                return new StateValue(reader.ReadBytes()!.Value.ToArray());
            case MessagePackType.Extension:
                return ReadExtension(ref reader);
            case MessagePackType.Array:
                throw Invalid("a msgpack array is not part of the checkpoint format (flax writes lists as maps keyed \"0\", \"1\", ...)");
            default:
                throw Invalid($"byte 0x{reader.NextCode:x2} is not a msgpack value");
        }
    }

    private StateNode ReadMap(ref MessagePackReader reader, int depth)
    {
        if (depth > _maxDepth)
        {
            throw Invalid($"maps nest deeper than {_maxDepth} levels (MsgpackOptions.MaxDepth)");
        }

        // MaxDepth bounds the work; this bounds the stack, whatever the thread's stack size (a 256 KiB thread
        // runs out before depth 1000): refusing the data beats a stack overflow, which no one can catch.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Invalid($"maps nest {depth} levels deep, more than this thread's stack can follow (MsgpackOptions.MaxDepth)");
        }

        int count = reader.ReadMapHeader();

        // Each entry needs at least two bytes: a claim of more entries than that is a lie, refuse it before allocating.
        if (count > (_data.Length - reader.Consumed) / 2)
        {
            throw Invalid($"a map claims {count} entries, more than the {_data.Length - reader.Consumed} bytes left can hold");
        }

        var map = new StateMap(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw Invalid($"map key {i} is a {reader.NextMessagePackType}, not a string");
            }

            string key = ReadString(ref reader);
            _path.Add(key);
            map.Set(key, ReadNode(ref reader, depth));
            _path.RemoveAt(_path.Count - 1);
        }

        return map.ContainsKey(ExtensionTypeCodes.ChunkedArrayMarker) ? new StateValue(Unchunk(map)) : map;
    }

    // Kept out of line (as are ReadExtension and Unchunk): inlined, their locals would enlarge the frame of every
    // level of map recursion, and a thread's stack would hold fewer levels.
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static string ReadString(ref MessagePackReader reader)
    {
        ReadOnlySequence<byte> bytes = reader.ReadStringSequence()!.Value;
        return bytes.IsSingleSegment ? StrictUtf8.GetString(bytes.FirstSpan) : StrictUtf8.GetString(bytes.ToArray());
    }

    /// <summary>Decodes a string's bytes as <see cref="ReadString"/> does (strict UTF-8).</summary>
    internal static string DecodeString(ReadOnlySpan<byte> bytes) => StrictUtf8.GetString(bytes);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StateValue ReadExtension(ref MessagePackReader reader)
    {
        ExtensionHeader header = reader.ReadExtensionFormatHeader();
        if (header.Length > _data.Length - reader.Consumed)
        {
            throw Invalid($"an ext value claims {header.Length} bytes, more than the {_data.Length - reader.Consumed} left");
        }

        ReadOnlySequence<byte> payload = reader.ReadRaw(header.Length);
        try
        {
            return header.TypeCode switch
            {
                ExtensionTypeCodes.NdArray => new StateValue(ReadNdArray(payload, scalar: false)),
                ExtensionTypeCodes.NumpyScalar => new StateValue(ReadNumpyScalar(payload)),
                ExtensionTypeCodes.Complex => new StateValue(ReadComplex(payload)),
                _ => new StateValue(new ExtensionValue(header.TypeCode, payload.ToArray())),
            };
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or DecoderFallbackException or OverflowException)
        {
            throw Invalid($"the payload of an ext {header.TypeCode} value is malformed ({e.Message.TrimEnd('.')})", e);
        }
    }

    private static Complex ReadComplex(ReadOnlySequence<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 2)
        {
            throw new MessagePackSerializationException("a complex must be [real, imag]");
        }

        double real = ReadFloat(ref reader);
        double imaginary = ReadFloat(ref reader);
        if (!reader.End)
        {
            throw new MessagePackSerializationException("a complex must be [real, imag]");
        }

        return new Complex(real, imaginary);
    }

    private static double ReadFloat(ref MessagePackReader reader) => reader.NextMessagePackType is MessagePackType.Float or MessagePackType.Integer
        ? reader.ReadDouble()
        : throw new MessagePackSerializationException($"a complex part is a {reader.NextMessagePackType}, not a number");

    private NumpyScalar ReadNumpyScalar(ReadOnlySequence<byte> payload)
    {
        NdArray array = ReadNdArray(payload, scalar: true);
        return NumpyScalar.FromBytes(array.DType, array.GetBytes(0, array.DType.ItemSize));
    }

    // flax's _ndarray_from_bytes: msgpack [shape, dtype name, C-order bytes].
    private NdArray ReadNdArray(ReadOnlySequence<byte> payload, bool scalar)
    {
        var reader = new MessagePackReader(payload);
        if (ReadNdArrayHeader(ref reader, scalar, out DType? dtype, out Shape shape) is string error)
        {
            throw Invalid(error);
        }

        ReadOnlySequence<byte> bytes = reader.ReadBytes()!.Value;
        if (!reader.End)
        {
            throw Invalid("an ndarray payload must be [shape, dtype, bytes] with nothing after");
        }

        if (CheckDataLength(dtype!, shape, bytes.Length) is string mismatch)
        {
            throw Invalid(mismatch);
        }

        if (_storage is not null)
        {
            return new NdArray(dtype!, shape, _storage, _data.GetOffset(bytes.Start));
        }

        ArrayStorage storage = NdArray.Allocate(bytes.Length, zero: false);
        CopyTo(bytes, storage, 0);
        return new NdArray(dtype!, shape, storage, 0);
    }

    /// <summary>
    /// Reads an ndarray payload up to its data: <c>[</c>, the shape, the dtype name, and stops before the bin value of
    /// the element bytes (checked to be one). Returns what is wrong, or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static string? ReadNdArrayHeader(ref MessagePackReader reader, bool scalar, out DType? dtype, out Shape shape)
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
            string name = ReadString(ref reader);
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

    /// <summary>Reads a dtype name that is one of <see cref="DType.All"/>'s, as UTF-8 bytes; else reads nothing and returns null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static DType? FindDType(ref MessagePackReader reader)
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

    /// <summary>Checks that the element bytes are as many as the shape and dtype need; returns what is wrong, or null.</summary>
    internal static string? CheckDataLength(DType dtype, Shape shape, long length) =>
        length == shape.ElementCount * dtype.ItemSize
            ? null
            : $"a {dtype} array of shape {shape} needs {shape.ElementCount * dtype.ItemSize} bytes, the data has {length}";

    // flax's _unchunk: shape {"0": d0, ...}; chunks {"0": flat array, ...}, concatenated in key order.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private NdArray Unchunk(StateMap map)
    {
        NdArray[] parts = ValidateChunked(map, out long[] dims, reason => Invalid(reason));
        DType dtype = parts[0].DType;
        if (CompactInPlace(parts))
        {
            return new NdArray(dtype, new Shape(dims), _storage!, parts[0].ByteOffset);
        }

        long total = 0;
        foreach (NdArray part in parts)
        {
            total += part.Length;
        }

        ArrayStorage storage = NdArray.Allocate(total * dtype.ItemSize, zero: false);
        long offset = 0;
        foreach (NdArray part in parts)
        {
            NdArray.CopyBytes(part, storage, offset);
            offset += part.ByteLength;
        }

        return new NdArray(dtype, new Shape(dims), storage, 0);
    }

    /// <summary>Checks a chunked-array map (shape, chunks all there, one dtype, element counts agree) and returns its chunks in order.</summary>
    internal static NdArray[] ValidateChunked(StateMap map, out long[] dims, Func<string, Exception> invalid)
    {
        if (!map.TryGetValue("shape", out StateNode? shapeNode) || shapeNode is not StateMap shapeMap
            || !map.TryGetValue("chunks", out StateNode? chunksNode) || chunksNode is not StateMap chunks)
        {
            throw invalid("a chunked array needs a 'shape' map and a 'chunks' map");
        }

        dims = new long[shapeMap.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (!shapeMap.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out StateNode? d) || d is not StateValue { Value: long dim } || dim < 0)
            {
                throw invalid($"a chunked array's shape lacks a valid dimension \"{i}\"");
            }

            dims[i] = dim;
        }

        var parts = new NdArray[chunks.Count];
        long total = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!chunks.TryGetValue(i.ToString(CultureInfo.InvariantCulture), out StateNode? part) || part is not StateValue { Value: NdArray array })
            {
                throw invalid($"a chunked array lacks chunk \"{i}\"");
            }

            if (array.DType != parts[0]?.DType && i > 0)
            {
                throw invalid($"the chunks of a chunked array differ in dtype ({parts[0].DType} and {array.DType})");
            }

            parts[i] = array;
            total = checked(total + array.Length);
        }

        if (parts.Length == 0)
        {
            throw invalid("a chunked array has no chunks");
        }

        if (!Shape.TryGetElementCount(dims, out long expected) || expected != total)
        {
            throw invalid($"a chunked array of shape ({string.Join(", ", dims)}) has {total} elements in its chunks");
        }

        return parts;
    }

    /// <summary>
    /// When the chunks are views of the memory the file was read into, in order, slides each one down over the
    /// headers between them so that they form one contiguous array where the first chunk starts: no second buffer
    /// of the array's size (a 2.4 GB chunked array loads in 2.4 GB, not 4.8). Only the chunks themselves and their
    /// msgpack headers lie in that range, and the chunk views are dropped, so nothing else sees the move.
    /// </summary>
    private bool CompactInPlace(NdArray[] parts)
    {
        if (_storage is null)
        {
            return false;
        }

        long end = parts[0].ByteOffset;
        foreach (NdArray part in parts)
        {
            if (!ReferenceEquals(part.Storage, _storage) || part.ByteOffset < end)
            {
                return false;
            }

            end = part.ByteOffset + part.ByteLength;
        }

        const int Window = 1 << 30;
        long destination = parts[0].ByteOffset;
        foreach (NdArray part in parts)
        {
            // Front to back, each window lands at or below where it was read: an overlapping move never
            // overwrites bytes it has yet to read (Span.CopyTo is a memmove).
            for (long offset = 0; offset < part.ByteLength; offset += Window)
            {
                int length = (int)Math.Min(Window, part.ByteLength - offset);
                _storage.GetSpan(part.ByteOffset + offset, length).CopyTo(_storage.GetSpan(destination + offset, length));
            }

            destination += part.ByteLength;
        }

        return true;
    }

    private static void CopyTo(ReadOnlySequence<byte> source, ArrayStorage destination, long offset)
    {
        foreach (ReadOnlyMemory<byte> segment in source)
        {
            segment.Span.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination.GetReference(), (nint)offset), segment.Length));
            offset += segment.Length;
        }
    }

    private InvalidCheckpointException Invalid(string reason, Exception? inner = null) => new(reason, null, TreePath(), inner);

    // A path thousands of levels deep (a nesting bomb) is shortened to its ends, so that the message stays readable.
    private string TreePath() => _path.Count switch
    {
        0 => ".",
        <= 24 => "./" + string.Join('/', _path),
        _ => $"./{string.Join('/', _path.Take(8))}/...({_path.Count - 16} more)/{string.Join('/', _path.TakeLast(8))}",
    };
}
