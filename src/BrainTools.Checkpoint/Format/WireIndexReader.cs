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
/// <para>One <see cref="MessagePackReader"/> walks the window followed by the rest of the mapped file, so a value never
/// looks cut short; the reader checks lengths against that and slices payloads without touching them. It is made
/// anew only when the window moves (about once per array in a large file), and the window's segments are re-linked,
/// not allocated: the index pass costs little more than its reads. Maps and ndarray headers are walked here; every
/// other value (scalars, strings, small ext values) is decoded by <see cref="WireReader"/> itself, so both readers
/// accept and refuse the same bytes.</para>
/// <para>Where the strides between headers repeat (a model's layers), the next windows are read ahead on another
/// core by a <see cref="HeaderPrefetcher"/>. The hot methods are compiled fully optimized at once
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): an index pass runs once per open, often once per
/// process, mostly before tiered compilation would have optimized them; in unoptimized code the pass over a
/// 1024-array file took twice as long.</para>
/// </remarks>
internal sealed class WireIndexReader
{
    private const int Window = 4096;
    private const int Block = 1 << 30;

    // Headers are short (an ndarray's with a rank-64 shape is under 700 bytes): a step starts with at least this
    // much of the window ahead, else the window moves first.
    private const int HeaderRoom = 1024;

    // Windows are read ahead (HeaderPrefetcher) in files this large, once this many windows give strides to go by:
    // below that, waking the prefetch thread costs more than it saves.
    private const long DefaultPrefetchFileBytes = 64L << 20;
    private const int PrefetchAfterWindows = 4;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private readonly ArrayStorage _file;
    private readonly MsgpackOptions _options;
    private readonly long _prefetchFileBytes;
    private readonly List<string> _path = [];
    private readonly byte[] _buffer = new byte[Window];
    private readonly ReadOnlyMemory<byte>[] _blocks;
    private readonly string?[] _recentKeys = new string?[16];
    private int _nextRecentKey;

    // The mapped file in blocks of 1 GiB, each linked to the next, made once; the window links to the rest of the
    // block it ends in (_tail), which links to the next whole block.
    private readonly WindowSegment[] _blockSegments;
    private readonly WindowSegment _window = new();
    private readonly WindowSegment _tail = new();

    // The last segment after the window; null when the window reaches the end of the file.
    private WindowSegment? _last;
    private long _windowStart;
    private int _windowLength;

    // Where the current reader started in the file: its position is this plus what it consumed.
    private long _readerStart;

    // Where the current step started (error messages name it), or where the walk ended.
    private long _position;

    private long _bytesRead;
    private long _prefetchedBytes;
    private HeaderPrefetcher? _prefetcher;
    private int _windowsRead;

    // The starts of the last windows, newest first: their strides predict the next.
    private long _start0 = -1;
    private long _start1 = -1;
    private long _start2 = -1;

    /// <param name="handle">The file, open for reading.</param>
    /// <param name="file">The same file in memory (mapped): arrays become views of it.</param>
    /// <param name="options">Limits.</param>
    /// <param name="prefetchFileBytes">Read headers ahead in files of at least this many bytes (tests lower it).</param>
    public WireIndexReader(SafeFileHandle handle, ArrayStorage file, MsgpackOptions options, long prefetchFileBytes = DefaultPrefetchFileBytes)
    {
        _handle = handle;
        _file = file;
        _length = file.ByteLength;
        _options = options;
        _prefetchFileBytes = prefetchFileBytes;

        // A Memory's length is an int.
        int count = (int)((_length + Block - 1) / Block);
        _blocks = new ReadOnlyMemory<byte>[count];
        _blockSegments = new WindowSegment[count];
        for (int i = count - 1; i >= 0; i--)
        {
            long offset = (long)i * Block;
            _blocks[i] = new StorageMemoryManager(file, offset, (int)Math.Min(Block, _length - offset)).Memory;
            _blockSegments[i] = new WindowSegment();
            _blockSegments[i].Set(_blocks[i], offset, i + 1 < count ? _blockSegments[i + 1] : null);
        }
    }

    /// <summary>Bytes read from the file so far (read ahead or not), and bytes of long values read through the mapping past the window.</summary>
    public long BytesRead => _bytesRead + _prefetchedBytes + (_prefetcher?.BytesRead ?? 0);

    /// <summary>How many windows came from the prefetcher, read ahead on its thread (for tests).</summary>
    internal int WindowsReadAhead { get; private set; }

    /// <summary>Indexes the one value the file holds: maps, leaves, arrays as views, chunked arrays (validated).</summary>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint (without a file name).</exception>
    public CheckpointEntry ReadRoot()
    {
        try
        {
            Fill(0);
            MessagePackReader reader = CreateReader();
            CheckpointEntry root = ReadNode(ref reader, string.Empty, 0);
            _position = Position(ref reader);
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
        finally
        {
            _prefetchedBytes = _prefetcher?.BytesRead ?? 0;
            _prefetcher?.Return();
            _prefetcher = null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private CheckpointEntry ReadNode(ref MessagePackReader reader, string key, int depth)
    {
        Step(ref reader);
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                return ReadMap(ref reader, key, depth + 1);
            case MessagePackType.Extension:
                return ReadExtension(ref reader, key);
            case MessagePackType.Array:
                throw Invalid("a msgpack array is not part of the checkpoint format (flax writes lists as maps keyed \"0\", \"1\", ...)");
            case MessagePackType.Unknown:
                throw Invalid($"byte 0x{reader.NextCode:x2} is not a msgpack value");
            default:
                return ReadSmallValue(ref reader, key);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private CheckpointEntry ReadMap(ref MessagePackReader reader, string key, int depth)
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

        int count = reader.ReadMapHeader();
        _position = Position(ref reader);
        if (count > (_length - _position) / 2)
        {
            throw Invalid($"a map claims {count} entries, more than the {_length - _position} bytes left can hold");
        }

        // The entries in file order; a repeated key keeps its first place and takes the last value, as in a StateMap.
        var children = new CheckpointEntry[Math.Min(count, 1024)];
        Dictionary<string, int>? byKey = count > CheckpointEntry.ScanLimit ? new(Math.Min(count, 1024), StringComparer.Ordinal) : null;
        int added = 0;
        bool chunked = false;
        for (int i = 0; i < count; i++)
        {
            Step(ref reader);
            MessagePackType keyType = reader.NextMessagePackType;
            if (keyType != MessagePackType.String)
            {
                throw Invalid($"map key {i} is a {keyType}, not a string");
            }

            string childKey = ReadKey(ref reader);
            CountPastWindow(ref reader);
            _path.Add(childKey);
            CheckpointEntry child = ReadNode(ref reader, childKey, depth);
            _path.RemoveAt(_path.Count - 1);
            int index = IndexOf(children.AsSpan(0, added), byKey, childKey);
            if (index >= 0)
            {
                children[index] = child;
                continue;
            }

            if (added == children.Length)
            {
                Array.Resize(ref children, added * 2);
            }

            byKey?.Add(childKey, added);
            children[added++] = child;
            chunked |= childKey == ExtensionTypeCodes.ChunkedArrayMarker;
        }

        if (added != children.Length)
        {
            Array.Resize(ref children, added);
        }

        if (chunked)
        {
            StateMap map = CheckpointEntry.ToStateMap(children);
            _ = WireReader.ValidateChunked(map, out _, reason => Invalid(reason));
            return CheckpointEntry.ForLeaf(key, map);
        }

        return CheckpointEntry.ForMap(key, children, byKey);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOf(ReadOnlySpan<CheckpointEntry> children, Dictionary<string, int>? byKey, string key)
    {
        if (byKey is not null)
        {
            return byKey.TryGetValue(key, out int index) ? index : -1;
        }

        for (int i = 0; i < children.Length; i++)
        {
            if (children[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private CheckpointEntry ReadExtension(ref MessagePackReader reader, string key)
    {
        // Complex numbers, numpy scalars and unknown ext values are small: decode them whole.
        MessagePackReader peek = reader.CreatePeekReader();
        ExtensionHeader header = peek.ReadExtensionFormatHeader();
        if (header.TypeCode != ExtensionTypeCodes.NdArray)
        {
            return ReadSmallValue(ref reader, key);
        }

        reader = peek;
        long payloadEnd = Position(ref reader) + header.Length;
        Step(ref reader);
        string? error = WireReader.ReadNdArrayHeader(ref reader, scalar: false, out DType? dtype, out Shape shape);

        if (error is not null)
        {
            throw Invalid(error);
        }

        // A slice of the mapped file: its bytes are not touched, nor counted.
        long dataLength = reader.ReadBytes()!.Value.Length;

        _position = Position(ref reader);
        if (_position != payloadEnd)
        {
            throw Invalid("an ndarray payload must be [shape, dtype, bytes] with nothing after");
        }

        if (WireReader.CheckDataLength(dtype!, shape, dataLength) is string mismatch)
        {
            throw Invalid(mismatch);
        }

        return CheckpointEntry.ForArray(key, new NdArray(dtype!, shape, _file, _position - dataLength));
    }

    // A value that is neither a map nor an ndarray: find its end, then let WireReader decode exactly those bytes.
    private CheckpointEntry ReadSmallValue(ref MessagePackReader reader, string key)
    {
        SequencePosition start = reader.Position;
        reader.Skip();
        byte[] bytes = reader.Sequence.Slice(start, reader.Position).ToArray();
        CountPastWindow(ref reader);
        try
        {
            return CheckpointEntry.ForLeaf(key, new WireReader(new ReadOnlySequence<byte>(bytes), null, _options).ReadRoot());
        }
        catch (InvalidCheckpointException e)
        {
            throw Invalid(e.Reason, e);
        }
    }

    // Keys repeat from one entry to the next ("weight", "bias" of every layer): an ASCII key read before is reused,
    // not decoded and allocated again.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string ReadKey(ref MessagePackReader reader)
    {
        MessagePackReader peek = reader.CreatePeekReader();
        string key;
        if (peek.TryReadStringSpan(out ReadOnlySpan<byte> bytes))
        {
            foreach (string? known in _recentKeys)
            {
                if (known is not null && known.Length == bytes.Length && Ascii.Equals(bytes, known))
                {
                    reader = peek;
                    return known;
                }
            }

            key = WireReader.DecodeString(bytes);
            reader = peek;
        }
        else
        {
            key = WireReader.ReadString(ref reader);
        }

        _recentKeys[_nextRecentKey] = key;
        _nextRecentKey = (_nextRecentKey + 1) % _recentKeys.Length;
        return key;
    }

    private long Position(ref MessagePackReader reader) => _readerStart + reader.Consumed;

    // Starts a parsing step where the reader is: moves the window there first unless the window holds the next
    // HeaderRoom bytes (or the rest of the file). The reader sees the window, then the rest of the file through the
    // mapping, so a step never runs short; bytes it consumes there were touched (long strings, counted by
    // CountPastWindow) unless it only skipped them (array payloads).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(ref MessagePackReader reader)
    {
        _position = Position(ref reader);
        long windowEnd = _windowStart + _windowLength;
        if (windowEnd - _position < Math.Min(HeaderRoom, _length - _position))
        {
            // Past a skipped payload, a read from the start of the header's page (when that page holds HeaderRoom
            // bytes after it) copies one page of the page cache instead of parts of two: measurably cheaper.
            Fill(WindowStart(_position, pastWindow: _position > windowEnd));
            ReadAhead(_position);
            reader = CreateReader();
        }
    }

    private static long WindowStart(long position, bool pastWindow)
    {
        long offsetInPage = position % Window;
        return pastWindow && offsetInPage <= Window - HeaderRoom ? position - offsetInPage : position;
    }

    // Counts what the step just ended read through the mapping past the window (it started inside the window).
    private void CountPastWindow(ref MessagePackReader reader)
    {
        long end = Position(ref reader);
        long windowEnd = _windowStart + _windowLength;
        if (end > windowEnd)
        {
            _bytesRead += end - windowEnd;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private MessagePackReader CreateReader()
    {
        _readerStart = _position;
        int offset = (int)(_position - _windowStart);
        return _last is null
            ? new MessagePackReader(new ReadOnlyMemory<byte>(_buffer, offset, _windowLength - offset))
            : new MessagePackReader(new ReadOnlySequence<byte>(_window, offset, _last, _last.Memory.Length));
    }

    // Reads the window at start and links it to the rest of the file. Re-links the same segments: sequences over
    // the previous window are no longer used once a step moves the window.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill(long start)
    {
        int size = (int)Math.Min(Window, _length - start);
        if (_prefetcher is not null && _prefetcher.TryTake(start, _buffer.AsSpan(0, size)))
        {
            WindowsReadAhead++;
        }
        else
        {
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

            _bytesRead += size;
        }

        _windowStart = start;
        _windowLength = size;
        long windowEnd = start + size;
        if (windowEnd == _length)
        {
            _window.Set(new ReadOnlyMemory<byte>(_buffer, 0, size), start, null);
            _last = null;
            return;
        }

        int block = (int)(windowEnd / Block);
        int offset = (int)(windowEnd - ((long)block * Block));
        WindowSegment next = _blockSegments[block];
        _last = _blockSegments[^1];
        if (offset != 0)
        {
            WindowSegment? after = block + 1 < _blockSegments.Length ? _blockSegments[block + 1] : null;
            _tail.Set(_blocks[block][offset..], windowEnd, after);
            next = _tail;
            _last = after is null ? _tail : _last;
        }

        _window.Set(new ReadOnlyMemory<byte>(_buffer, 0, size), start, next);
    }

    // Asks the prefetcher for the window of the header the strides between headers so far predict: the last stride
    // again, or the one before it when strides alternate (a layer's weight, then its bias).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadAhead(long position)
    {
        long stride1 = position - _start0;
        long stride2 = _start0 - _start1;
        long stride3 = _start1 - _start2;
        _start2 = _start1;
        _start1 = _start0;
        _start0 = position;
        if (++_windowsRead < PrefetchAfterWindows || _length < _prefetchFileBytes)
        {
            return;
        }

        // The pattern of strides that repeats: one stride, or two alternating; none, no guess.
        (long first, long second) = stride1 > 0 && stride1 == stride2 ? (stride1, stride1)
            : stride1 > 0 && stride2 > 0 && stride1 == stride3 ? (stride2, stride1)
            : (0, 0);
        if (first == 0)
        {
            return;
        }

        // The next few headers, so that reads queue up on the prefetch thread while this one parses.
        long next = position;
        for (int ahead = 0; ahead < HeaderPrefetcher.Depth; ahead++)
        {
            next += ahead % 2 == 0 ? first : second;
            if (next >= _length)
            {
                break;
            }

            long start = WindowStart(next, pastWindow: true);
            _prefetcher ??= HeaderPrefetcher.Rent(_handle, Window);
            _prefetcher.Request(start, (int)Math.Min(Window, _length - start));
        }
    }

    private InvalidCheckpointException Invalid(string reason, Exception? inner = null) => new(reason, null, TreePath(), inner);

    private string TreePath() => _path.Count == 0 ? "." : "./" + string.Join('/', _path);
}
