using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using MessagePack;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Indexes a checkpoint file without reading its array payloads: headers are read with small positional reads
/// into a window, and each ndarray's element bytes are skipped; the array becomes a view of the same bytes in the
/// mapped file, untouched. Validates as <see cref="WireReader"/> does.
/// </summary>
/// <remarks>
/// <para>Reading headers with reads rather than through the mapping matters for large files: touching one header
/// page every few MiB of a mapping costs a page fault and a fresh page-table page each; reads cost neither.</para>
/// <para>Each parsing step runs a <see cref="MessagePackReader"/> over the window followed by the rest of the mapped
/// file, so a value never looks cut short; the reader checks lengths against that and slices payloads without
/// touching them. Maps and ndarray headers are walked here; every other value (scalars, strings, small ext values)
/// is decoded by <see cref="WireReader"/> itself, so both readers accept and refuse the same bytes.</para>
/// </remarks>
internal sealed class WireIndexReader
{
    private const int Window = 4096;
    private const int Block = 1 << 30;

    // Headers are short (an ndarray's with a rank-64 shape is under 700 bytes): a step starts with at least this
    // much of the window ahead, else the window moves first.
    private const int HeaderRoom = 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private readonly ArrayStorage _file;
    private readonly MsgpackOptions _options;
    private readonly List<string> _path = [];
    private readonly byte[] _buffer = new byte[Window];
    private readonly ReadOnlyMemory<byte>[] _blocks;
    private long _windowStart;
    private int _windowLength;
    private long _position;

    // The window, then the rest of the file through the mapping: built once per window, steps start inside it.
    private SequenceSegment? _first;
    private SequenceSegment? _last;

    /// <param name="handle">The file, open for reading.</param>
    /// <param name="file">The same file in memory (mapped): arrays become views of it.</param>
    /// <param name="options">Limits.</param>
    public WireIndexReader(SafeFileHandle handle, ArrayStorage file, MsgpackOptions options)
    {
        _handle = handle;
        _file = file;
        _length = file.ByteLength;
        _options = options;

        // The mapped file in blocks of 1 GiB (a Memory's length is an int), made once.
        _blocks = new ReadOnlyMemory<byte>[(int)((_length + Block - 1) / Block)];
        for (int i = 0; i < _blocks.Length; i++)
        {
            long offset = (long)i * Block;
            _blocks[i] = new StorageMemoryManager(file, offset, (int)Math.Min(Block, _length - offset)).Memory;
        }
    }

    private delegate T Step<T>(ref MessagePackReader reader);

    /// <summary>Bytes read from the file so far, and bytes of long values read through the mapping past the window.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Indexes the one value the file holds: maps, leaves, and arrays as views; chunked arrays stay maps (validated).</summary>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint (without a file name).</exception>
    public StateNode ReadRoot()
    {
        try
        {
            StateNode root = ReadNode(0);
            if (_position != _length)
            {
                throw Invalid($"{_length - _position} bytes follow the end of the checkpoint");
            }

            return root;
        }
        catch (InvalidCheckpointException)
        {
            throw;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or DecoderFallbackException or OverflowException or ArgumentException)
        {
            string reason = e switch
            {
                EndOfStreamException => $"the data ends early (truncated) near byte {_position}",
                DecoderFallbackException => $"a string is not valid UTF-8 near byte {_position}",
                _ => $"{e.Message.TrimEnd('.')} near byte {_position}",
            };
            throw Invalid(reason, e);
        }
    }

    private StateNode ReadNode(int depth)
    {
        MessagePackType type = Run((ref MessagePackReader r) => r.NextMessagePackType);
        switch (type)
        {
            case MessagePackType.Map:
                return ReadMap(depth + 1);
            case MessagePackType.Extension:
                return ReadExtension();
            case MessagePackType.Array:
                throw Invalid("a msgpack array is not part of the checkpoint format (flax writes lists as maps keyed \"0\", \"1\", ...)");
            case MessagePackType.Unknown:
                throw Invalid($"byte 0x{Run((ref MessagePackReader r) => r.NextCode):x2} is not a msgpack value");
            default:
                return ReadSmallValue();
        }
    }

    private StateNode ReadMap(int depth)
    {
        if (depth > _options.MaxDepth)
        {
            throw Invalid($"maps nest deeper than {_options.MaxDepth} levels (MsgpackOptions.MaxDepth)");
        }

        // As WireReader: MaxDepth bounds the work, this the stack (a stack overflow cannot be caught).
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Invalid($"maps nest {depth} levels deep, more than this thread's stack can follow (MsgpackOptions.MaxDepth)");
        }

        int count = Run((ref MessagePackReader r) => r.ReadMapHeader());
        if (count > (_length - _position) / 2)
        {
            throw Invalid($"a map claims {count} entries, more than the {_length - _position} bytes left can hold");
        }

        var map = new StateMap(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            MessagePackType keyType = Run((ref MessagePackReader r) => r.NextMessagePackType);
            if (keyType != MessagePackType.String)
            {
                throw Invalid($"map key {i} is a {keyType}, not a string");
            }

            string key = Run((ref MessagePackReader r) => WireReader.ReadString(ref r));
            _path.Add(key);
            map.Set(key, ReadNode(depth));
            _path.RemoveAt(_path.Count - 1);
        }

        if (map.ContainsKey(ExtensionTypeCodes.ChunkedArrayMarker))
        {
            _ = WireReader.ValidateChunked(map, out _, reason => Invalid(reason));
        }

        return map;
    }

    private StateNode ReadExtension()
    {
        long start = _position;
        ExtensionHeader header = Run((ref MessagePackReader r) => r.ReadExtensionFormatHeader());
        if (header.TypeCode != ExtensionTypeCodes.NdArray)
        {
            // Complex numbers, numpy scalars and unknown ext values are small: decode them whole.
            _position = start;
            return ReadSmallValue();
        }

        long payloadEnd = _position + header.Length;
        DType? dtype = null;
        Shape shape = default;
        long dataLength = 0;
        string? error = Run(
            (ref MessagePackReader r) =>
            {
                string? problem = WireReader.ReadNdArrayHeader(ref r, scalar: false, out dtype, out shape);
                if (problem is null)
                {
                    // A slice of the mapped file: its bytes are not touched.
                    dataLength = r.ReadBytes()!.Value.Length;
                }

                return problem;
            },
            countPastWindow: false);
        if (error is not null)
        {
            throw Invalid(error);
        }

        if (_position != payloadEnd)
        {
            throw Invalid("an ndarray payload must be [shape, dtype, bytes] with nothing after");
        }

        if (WireReader.CheckDataLength(dtype!, shape, dataLength) is string mismatch)
        {
            throw Invalid(mismatch);
        }

        return new StateValue(new NdArray(dtype!, shape, _file, _position - dataLength));
    }

    // A value that is neither a map nor an ndarray: find its end, then let WireReader decode exactly those bytes.
    private StateNode ReadSmallValue()
    {
        byte[] bytes = Run((ref MessagePackReader r) =>
        {
            SequencePosition start = r.Position;
            r.Skip();
            return r.Sequence.Slice(start, r.Position).ToArray();
        });
        try
        {
            return new WireReader(new ReadOnlySequence<byte>(bytes), null, _options).ReadRoot();
        }
        catch (InvalidCheckpointException e)
        {
            throw Invalid(e.Reason, e);
        }
    }

    // Runs one parsing step at the current position and advances the position by what it consumed. The step sees
    // the window, then the rest of the file through the mapping: bytes it consumes there were touched (long strings)
    // unless it only skipped them (array payloads).
    private T Run<T>(Step<T> step, bool countPastWindow = true)
    {
        if (_position < _windowStart || _windowStart + _windowLength - _position < Math.Min(HeaderRoom, _length - _position))
        {
            Fill(_position);
        }

        long windowEnd = _windowStart + _windowLength;
        var reader = new MessagePackReader(new ReadOnlySequence<byte>(_first!, (int)(_position - _windowStart), _last!, _last!.Memory.Length));
        T result = step(ref reader);
        if (countPastWindow && _position + reader.Consumed > windowEnd)
        {
            BytesRead += _position + reader.Consumed - windowEnd;
        }

        _position += reader.Consumed;
        return result;
    }

    private void Fill(long start)
    {
        int size = (int)Math.Min(Window, _length - start);
        int filled = 0;
        while (filled < size)
        {
            int read = RandomAccess.Read(_handle, _buffer.AsSpan(filled, size - filled), start + filled);
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the file shrank while it was read ({start + filled} of {_length} bytes)", null, TreePath());
            }

            filled += read;
        }

        BytesRead += size;
        _windowStart = start;
        _windowLength = size;
        _first = new SequenceSegment(new ReadOnlyMemory<byte>(_buffer, 0, size), 0);
        _last = _first;
        long windowEnd = start + size;
        if (windowEnd < _length)
        {
            int block = (int)(windowEnd / Block);
            _last = _last.Append(_blocks[block][(int)(windowEnd - ((long)block * Block))..]);
            for (block++; block < _blocks.Length; block++)
            {
                _last = _last.Append(_blocks[block]);
            }
        }
    }

    private InvalidCheckpointException Invalid(string reason, Exception? inner = null) => new(reason, null, TreePath(), inner);

    private string TreePath() => _path.Count == 0 ? "." : "./" + string.Join('/', _path);
}
