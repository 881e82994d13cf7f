using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using MessagePack;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The one reader of the wire format: walks one checkpoint value by value, checks everything a hostile file could
/// lie about, and hands each value to a builder (<see cref="IWireBuilder{TNode, TMap}"/>): a state-dict tree for a
/// full load, index entries for a lazy open. Its source is the whole data in memory, or a <see cref="WireWindow"/>
/// of positional reads over a mapped file.
/// </summary>
/// <remarks>
/// <para>Checks: every length against the bytes that remain before anything is allocated; nesting
/// (<see cref="MsgpackOptions.MaxDepth"/> and the thread's stack); values and key bytes
/// (<see cref="MsgpackOptions.MaxNodes"/>, <see cref="MsgpackOptions.MaxKeyBytes"/>); strict UTF-8; string keys;
/// array payloads against their shape and dtype; chunked arrays (<see cref="ChunkedArrays"/>).</para>
/// <para>Errors are <see cref="InvalidCheckpointException"/>s whose offset is an absolute offset into the data (the
/// start of the value that is wrong, or the bad byte of a string) and whose path is a <see cref="TreePath"/>, built
/// only when an error needs it: the walk keeps the keys on a stack, not a string per key.</para>
/// <para>The hot methods are compiled fully optimized at once (<see cref="MethodImplOptions.AggressiveOptimization"/>):
/// a lazy open's index pass runs mostly before tiered compilation would have optimized them.</para>
/// <para>Not thread-safe: one walk per instance.</para>
/// </remarks>
internal sealed class WireWalker<TBuilder, TNode, TMap>
    where TBuilder : struct, IWireBuilder<TNode, TMap>
    where TNode : class
    where TMap : class
{
    private TBuilder _builder;
    private WireLimits _limits;
    private readonly ReadOnlySequence<byte> _data;
    private readonly WireWindow? _window;
    private readonly long _length;
    private readonly bool _prefix;
    private string[] _keys = new string[16];
    private int _depth;

    // What ReadNode tells of a value: it is a chunked array; it is a map holding one.
    private const int IsChunked = 1;
    private const int HoldsChunked = 2;
    private const string ChunksKey = "chunks";

    // Where the current reader's first byte is in the data; the walk's position is this plus what it consumed.
    private long _readerStart;

    // Where the value being read starts: errors name it.
    private long _valueStart;

    // Keys repeat from one map to the next ("weight", "bias" of every layer): an ASCII key read lately is reused,
    // not decoded and allocated again.
    private readonly string?[] _recentKeys = new string?[16];
    private int _nextRecentKey;

    /// <summary>A walk over data in memory.</summary>
    /// <param name="data">The data; or, with <paramref name="length"/> larger, its first bytes (see <see cref="TryReadPrefix"/>).</param>
    /// <param name="length">The length of the whole data.</param>
    /// <param name="builder">What to make of the values.</param>
    /// <param name="options">Limits.</param>
    public WireWalker(ReadOnlySequence<byte> data, long length, TBuilder builder, MsgpackOptions options)
    {
        _data = data;
        _length = length;
        _prefix = data.Length < length;
        _builder = builder;
        _limits = new WireLimits(options);
    }

    /// <summary>A walk over a file through a window of positional reads.</summary>
    public WireWalker(WireWindow window, TBuilder builder, MsgpackOptions options)
    {
        _window = window;
        _length = window.Length;
        _builder = builder;
        _limits = new WireLimits(options);
    }

    /// <summary>Reads the one value the data holds; trailing bytes are an error.</summary>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint (without a file name).</exception>
    public TNode ReadRoot()
    {
        if (_length == 0)
        {
            throw new InvalidCheckpointException(WireErrors.Empty, null, TreePath.Root.ToString(), 0);
        }

        MessagePackReader reader = _window is null ? new MessagePackReader(_data) : _window.Start();
        try
        {
            TNode root = ReadNode(ref reader, 0, out _);
            long end = Position(ref reader);
            if (end != _length)
            {
                _valueStart = end;
                throw Invalid($"{_length - end} bytes follow the end of the checkpoint");
            }

            return root;
        }
        catch (FileShrankException e)
        {
            throw new InvalidCheckpointException(e.Message, null, Path().ToString(), e.Offset);
        }
        catch (Exception e) when (e is not InvalidCheckpointException && WireErrors.IsWireError(e))
        {
            throw _prefix ? new PrefixEndedException() : Invalid(WireErrors.Describe(e, _valueStart), e);
        }
    }

    /// <summary>
    /// On a walk over the first bytes of the data: whether those bytes already show the data is not a valid
    /// checkpoint (then <paramref name="error"/> is the error a walk over all of it gives), so a large file can be
    /// refused before it is read. False when the walk ran past the bytes it has, or they are a valid start.
    /// </summary>
    public bool TryReadPrefix(out InvalidCheckpointException? error)
    {
        try
        {
            ReadRoot();
            error = null;
            return false;
        }
        catch (PrefixEndedException)
        {
            error = null;
            return false;
        }
        catch (InvalidCheckpointException e)
        {
            error = e;
            return true;
        }
    }

    /// <summary>How many bytes the walk read from its source beyond what it was given (the windows of a lazy open).</summary>
    public long BytesRead => _window?.BytesRead ?? 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long Position(ref MessagePackReader reader) => _readerStart + reader.Consumed;

    // Starts a parsing step where the reader is: the value that starts here is what errors name, and a window
    // moves here first when it holds too little of what follows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(ref MessagePackReader reader)
    {
        _valueStart = _readerStart + reader.Consumed;
        if (_window is not null && _window.TryMove(_valueStart, ref reader))
        {
            _readerStart = _valueStart;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TNode ReadNode(ref MessagePackReader reader, int depth, out int flags)
    {
        Step(ref reader);
        flags = 0;
        if (_limits.AddNode() is string tooMany)
        {
            throw Invalid(tooMany);
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                return ReadMap(ref reader, depth + 1, out flags);
            case MessagePackType.Nil:
                reader.ReadNil();
                return _builder.Value(StateValue.Null);
            case MessagePackType.Boolean:
                return _builder.Value(new StateValue(reader.ReadBoolean()));
            case MessagePackType.Integer:
                return _builder.Value(reader.NextCode == MessagePackCode.UInt64 ? new StateValue(reader.ReadUInt64()) : new StateValue(reader.ReadInt64()));
            case MessagePackType.Float:
                return _builder.Value(new StateValue(reader.ReadDouble()));
            case MessagePackType.String:
                return _builder.Value(new StateValue(ReadString(ref reader)));
            case MessagePackType.Binary:
                return _builder.Value(new StateValue(ReadBinary(ref reader)));
            case MessagePackType.Extension:
                return ReadExtension(ref reader);
            case MessagePackType.Array:
                throw Invalid("a msgpack array is not part of the checkpoint format (flax writes lists as maps keyed \"0\", \"1\", ...)");
            default:
                throw Invalid($"byte 0x{reader.NextCode:x2} is not a msgpack value");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TNode ReadMap(ref MessagePackReader reader, int depth, out int flags)
    {
        flags = 0;
        if (depth > _limits.MaxDepth)
        {
            throw Invalid($"maps nest deeper than {_limits.MaxDepth} levels (MsgpackOptions.MaxDepth)");
        }

        // MaxDepth bounds the work; this bounds the stack, whatever the thread's stack size (a 256 KiB thread
        // runs out before depth 1000): refusing the data beats a stack overflow, which no one can catch.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Invalid($"maps nest {depth} levels deep, more than this thread's stack can follow (MsgpackOptions.MaxDepth)");
        }

        long start = _valueStart;
        int count = reader.ReadMapHeader();

        // Each entry needs at least two bytes: a claim of more entries than that is a lie, refuse it before allocating.
        long left = _length - Position(ref reader);
        if (count > left / 2)
        {
            throw Invalid($"a map claims {count} entries, more than the {left} bytes left can hold");
        }

        TMap map = _builder.BeginMap(count);
        bool marked = false;
        bool chunksNested = false;
        for (int i = 0; i < count; i++)
        {
            Step(ref reader);
            MessagePackType keyType = reader.NextMessagePackType;
            if (keyType != MessagePackType.String)
            {
                throw Invalid($"map key {i} is a {keyType}, not a string");
            }

            string key = ReadKey(ref reader);
            Push(key);
            TNode child = ReadNode(ref reader, depth, out int childFlags);
            _depth--;
            _builder.Add(map, key, child);
            if ((childFlags & IsChunked) != 0)
            {
                flags = HoldsChunked;
            }

            if (key.Length == ChunksKey.Length && key == ChunksKey)
            {
                chunksNested = (childFlags & HoldsChunked) != 0;
            }

            marked |= key.Length == ExtensionTypeCodes.ChunkedArrayMarker.Length && key == ExtensionTypeCodes.ChunkedArrayMarker;
        }

        TNode node = _builder.EndMap(map);
        if (!marked)
        {
            return node;
        }

        // flax's _unchunk concatenates the chunks as flat arrays: a chunk that is itself chunked is refused by
        // every reader alike, although a full load could join it.
        _valueStart = start;
        if (chunksNested)
        {
            throw Invalid(ChunkedArrays.NestedChunks);
        }

        if (ChunkedArrays.Validate<TBuilder, TNode, TMap>(ref _builder, node, out long[] dims, out NdArray[] chunks) is string error)
        {
            throw Invalid(error);
        }

        flags |= IsChunked;
        return _builder.Chunked(node, dims, chunks);
    }

    private void Push(string key)
    {
        if (_depth == _keys.Length)
        {
            Array.Resize(ref _keys, _depth * 2);
        }

        _keys[_depth++] = key;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string ReadKey(ref MessagePackReader reader)
    {
        MessagePackReader peek = reader.CreatePeekReader();
        string key;
        long length;
        if (peek.TryReadStringSpan(out ReadOnlySpan<byte> bytes))
        {
            length = bytes.Length;
            key = IndexKeys.Find(bytes) ?? FindRecentKey(bytes) ?? Decode(bytes, Position(ref peek) - bytes.Length);
            reader = peek;
        }
        else
        {
            // A key split across segments (the window's end): rare, decoded without the cache.
            key = ReadString(ref reader);
            length = Encoding.UTF8.GetByteCount(key);
        }

        if (_limits.AddKeyBytes(length) is string tooMany)
        {
            throw Invalid(tooMany);
        }

        _window?.CountPastWindow(_valueStart, Position(ref reader));
        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string? FindRecentKey(ReadOnlySpan<byte> bytes)
    {
        foreach (string? known in _recentKeys)
        {
            if (known is not null && known.Length == bytes.Length && Ascii.Equals(bytes, known))
            {
                return known;
            }
        }

        return null;
    }

    private string Decode(ReadOnlySpan<byte> bytes, long offset)
    {
        string key;
        try
        {
            key = WireStrings.Decode(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw BadUtf8(e, offset);
        }

        _recentKeys[_nextRecentKey] = key;
        _nextRecentKey = (_nextRecentKey + 1) % _recentKeys.Length;
        return key;
    }

    // Kept out of line (as are the other leaf readers): inlined, their locals would enlarge the frame of every
    // level of map recursion, and a thread's stack would hold fewer levels.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private string ReadString(ref MessagePackReader reader)
    {
        ReadOnlySequence<byte> bytes = reader.ReadStringSequence()!.Value;
        long end = Position(ref reader);
        _window?.CountPastWindow(_valueStart, end);
        try
        {
            return WireStrings.Decode(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw BadUtf8(e, end - bytes.Length);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte[] ReadBinary(ref MessagePackReader reader)
    {
        byte[] bytes = reader.ReadBytes()!.Value.ToArray();
        _window?.CountPastWindow(_valueStart, Position(ref reader));
        return bytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private TNode ReadExtension(ref MessagePackReader reader)
    {
        ExtensionHeader header = reader.ReadExtensionFormatHeader();
        long payloadStart = Position(ref reader);
        if (header.Length > _length - payloadStart)
        {
            throw Invalid($"an ext value claims {header.Length} bytes, more than the {_length - payloadStart} left");
        }

        // In a lazy open: an ndarray whose header is in the window is read from the window, and the walk skips its
        // element bytes without stepping a reader across them; the next step moves the window past them.
        if (_window is not null && header.TypeCode == ExtensionTypeCodes.NdArray
            && TryReadNdArrayHeader(_window.WindowFrom(payloadStart), header.Length, out DType? windowDType, out Shape windowShape, out int headerLength))
        {
            long payloadEnd = payloadStart + header.Length;
            TNode array = _builder.Array(windowDType!, windowShape, _window.Slice(payloadStart + headerLength, payloadEnd), payloadStart + headerLength);
            reader = _window.ReaderAfterSkip(payloadEnd);
            _readerStart = payloadEnd;
            return array;
        }

        // A slice: an array's element bytes are not touched (in a lazy open, they stay in the mapping, unread).
        ReadOnlySequence<byte> payload = reader.ReadRaw(header.Length);
        if (header.TypeCode != ExtensionTypeCodes.NdArray)
        {
            _window?.CountPastWindow(payloadStart, payloadStart + header.Length);
        }

        try
        {
            switch (header.TypeCode)
            {
                case ExtensionTypeCodes.NdArray:
                    (DType dtype, Shape shape, ReadOnlySequence<byte> data, long offset) = ReadNdArray(payload, payloadStart, scalar: false);
                    return _builder.Array(dtype, shape, data, offset);
                case ExtensionTypeCodes.NumpyScalar:
                    (DType scalarType, _, ReadOnlySequence<byte> bytes, _) = ReadNdArray(payload, payloadStart, scalar: true);
                    return _builder.Value(new StateValue(NumpyScalar.FromBytes(scalarType, bytes.ToArray())));
                case ExtensionTypeCodes.Complex:
                    return _builder.Value(new StateValue(ReadComplex(payload)));
                default:
                    return _builder.Value(new StateValue(new ExtensionValue(header.TypeCode, payload.ToArray())));
            }
        }
        catch (Exception e) when (e is not InvalidCheckpointException && WireErrors.IsWireError(e))
        {
            _valueStart = payloadStart;
            throw Invalid($"the payload of an ext {header.TypeCode} value is malformed ({WireErrors.Describe(e)})", e);
        }
    }

    // flax's _ndarray_from_bytes: msgpack [shape, dtype name, C-order bytes], exactly the ext value's payload.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (DType DType, Shape Shape, ReadOnlySequence<byte> Data, long Offset) ReadNdArray(ReadOnlySequence<byte> payload, long payloadStart, bool scalar)
    {
        if (!scalar && !payload.IsSingleSegment && TryReadNdArrayHeader(payload.First, payload.Length, out DType? quickDType, out Shape quickShape, out int headerLength))
        {
            return (quickDType!, quickShape, payload.Slice(headerLength), payloadStart + headerLength);
        }

        var reader = new MessagePackReader(payload);
        _valueStart = payloadStart;
        if ((NdArrayHeader.Read(ref reader, scalar, out DType? dtype, out Shape shape) ?? NdArrayHeader.CheckBinLength(ref reader)) is string error)
        {
            throw Invalid(error);
        }

        ReadOnlySequence<byte> data = reader.ReadBytes()!.Value;
        if (!reader.End)
        {
            throw Invalid("an ndarray payload must be [shape, dtype, bytes] with nothing after");
        }

        if (NdArrayHeader.CheckDataLength(dtype!, shape, data.Length) is string mismatch)
        {
            throw Invalid(mismatch);
        }

        return (dtype!, shape, data, payloadStart + payload.Length - data.Length);
    }

    // An ndarray whose header lies in memory at hand (a lazy open's window, or the first segment of a payload in
    // blocks): the header is read from that memory alone, sparing the reader its walk across segments. Anything else
    // (a header cut by the memory's end, a bin length that does not end the payload, a wrong data length, a malformed
    // header) is left to the general path, which then reports it: the result is the same either way.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryReadNdArrayHeader(ReadOnlyMemory<byte> memory, long payloadLength, out DType? dtype, out Shape shape, out int headerLength)
    {
        headerLength = 0;
        if (memory.Length > payloadLength)
        {
            memory = memory[..(int)payloadLength];
        }

        var reader = new MessagePackReader(memory);
        try
        {
            if (NdArrayHeader.Read(ref reader, scalar: false, out dtype, out shape) is not null
                || !NdArrayHeader.TryReadBinLength(memory.Span[(int)reader.Consumed..], out long declared, out int binHeader))
            {
                return false;
            }

            headerLength = (int)reader.Consumed + binHeader;
            return declared == payloadLength - headerLength && NdArrayHeader.CheckDataLength(dtype!, shape, declared) is null;
        }
        catch (Exception e) when (WireErrors.IsWireError(e))
        {
            dtype = null;
            shape = default;
            return false;
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

    private InvalidCheckpointException BadUtf8(DecoderFallbackException e, long dataStart)
    {
        _valueStart = dataStart + Math.Max(0, e.Index);
        return Invalid($"a string is not valid UTF-8 near byte {_valueStart}", e);
    }

    private InvalidCheckpointException Invalid(string reason, Exception? inner = null) => new(reason, null, Path().ToString(), _valueStart, inner);

    // The path of the value being read, made only for an error; TreePath shortens a nesting bomb's.
    private TreePath Path()
    {
        TreePath path = TreePath.Root;
        for (int i = 0; i < _depth; i++)
        {
            path = path.Child(_keys[i]);
        }

        return path;
    }

    /// <summary>Thrown by a walk over a prefix that ran past the bytes it has: says nothing about the data.</summary>
    private sealed class PrefixEndedException : Exception;
}
