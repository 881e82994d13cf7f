using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The source of a lazy open's walk: a window of the checkpoint read with positional reads, followed by the rest of
/// the data, so a value never looks cut short and array payloads are sliced without being touched. After the window
/// comes the file's mapping when there is one; for a source that cannot be mapped (a blob), placeholder memory
/// that is never read: every value the walk reads, rather than skips, is brought into the window whole first.
/// </summary>
/// <remarks>
/// <para>Headers are read with reads rather than through a mapping: touching one header page every few MiB of a
/// mapping costs a page fault and a fresh page-table page each; reads cost neither.</para>
/// <para>The window starts at the source's preferred read size (a page for a file, a few MiB for object storage)
/// and doubles, up to 64 KiB or that size, while the walk runs out of it without skipping a payload (many small
/// values in a row), and falls back to the smallest past a skipped payload: a file of many small arrays needs few
/// reads, a file of large ones reads no more than a page per header.</para>
/// <para>The window's segments are re-linked, not allocated, when it moves: sequences over the previous window are no
/// longer used once a step moves it.</para>
/// <para>Where the headers after skipped payloads repeat (<see cref="HeaderPredictor"/>), and the source takes
/// concurrent reads of small windows, the windows of the predicted headers are read ahead on a pool thread
/// (<see cref="WindowReadAhead"/>): the walk's core parses while another reads. What a header's read costs is the
/// page-cache lookup and the copy, not the system call, so only another core hides it (batching the reads into one
/// io_uring submission on the same core, tried, came out slower). The hot methods are compiled fully optimized at
/// once: an index pass runs mostly before tiered compilation would optimize them (docs/performance.md).</para>
/// </remarks>
internal sealed class WireWindow
{
    private const int PageSize = 4096;
    private const int LargestWindowOfPages = 64 << 10;
    private const int MappedBlock = 1 << 30;
    private const int PlaceholderBlock = 64 << 20;

    // Headers are short (an ndarray's with a rank-64 shape is under 700 bytes): a step starts with at least this
    // much of the window ahead, else the window moves first.
    private const int HeaderRoom = 1024;

    // Fewer headers left than this, as predicted, and the walk reads them itself.
    private const int MinHeadersToReadAhead = 2 * WindowReadAhead.Depth;

    // Stands for the bytes after the window of an unmapped source: sliced, never read; virtual memory only.
    private static readonly Lazy<NativeArrayStorage> Placeholder = new(() => new NativeArrayStorage(PlaceholderBlock));

    private readonly ICheckpointSource _source;
    private readonly bool _mapped;
    private readonly long _length;
    private readonly int _smallest;
    private readonly int _largest;
    private readonly ReadOnlyMemory<byte>[] _blocks;
    private byte[] _buffer;

    // The rest of the data in blocks (of the mapping, or of placeholder memory), each linked to the next, made once;
    // the window links to the rest of the block it ends in (_tail), which links to the next whole block.
    private readonly WindowSegment[] _blockSegments;
    private readonly WindowSegment _window = new();
    private readonly WindowSegment _tail = new();
    private readonly int _blockSize;

    // The last segment after the window; null when the window reaches the end of the data.
    private WindowSegment? _last;

    // Reading ahead pays where a window is a page or so and another core can read while this one parses.
    private readonly bool _mayReadAhead;
    private readonly HeaderPredictor _predictor = new();
    private WindowReadAhead? _readAhead;
    private long _windowStart;
    private int _windowLength;
    private int _size;

    /// <param name="source">The checkpoint's bytes, read by windows.</param>
    /// <param name="mapping">The same bytes in memory (a mapped file), or null when the source has none.</param>
    public WireWindow(ICheckpointSource source, ArrayStorage? mapping)
    {
        _source = source;
        _mapped = mapping is not null;
        _length = source.Length;
        _smallest = Math.Clamp(source.PreferredReadSize, PageSize, 16 << 20);
        _largest = Math.Max(LargestWindowOfPages, _smallest);
        _size = _smallest;
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(_largest, Math.Max(_length, 1)));
        _mayReadAhead = source.MaxConcurrentReads > 1 && Environment.ProcessorCount > 1 && _smallest <= LargestWindowOfPages;

        // A Memory's length is an int.
        _blockSize = _mapped ? MappedBlock : PlaceholderBlock;
        int count = (int)((_length + _blockSize - 1) / _blockSize);
        _blocks = new ReadOnlyMemory<byte>[count];
        _blockSegments = new WindowSegment[count];
        for (int i = count - 1; i >= 0; i--)
        {
            long offset = (long)i * _blockSize;
            int blockLength = (int)Math.Min(_blockSize, _length - offset);
            _blocks[i] = mapping is not null
                ? new StorageMemoryManager(mapping, offset, blockLength).Memory
                : new StorageMemoryManager(Placeholder.Value, 0, blockLength).Memory;
            _blockSegments[i] = new WindowSegment();
            _blockSegments[i].Set(_blocks[i], offset, i + 1 < count ? _blockSegments[i + 1] : null);
        }
    }

    /// <summary>The data's length.</summary>
    public long Length => _length;

    /// <summary>Bytes read from the source so far: windows, and values read through the mapping past a window.</summary>
    public long BytesRead { get; private set; }

    /// <summary>A reader at the start of the data.</summary>
    public MessagePackReader Start()
    {
        Fill(0, _smallest);
        MessagePackReader reader = CreateReader(0);
        TryReachValue(0, ref reader);
        return reader;
    }

    /// <summary>
    /// Before a parsing step at <paramref name="position"/>: moves the window there, and gives a new reader from there,
    /// unless the window holds the next <see cref="HeaderRoom"/> bytes (or the rest of the data); without a mapping,
    /// also when the value that starts there does not end in the window.
    /// </summary>
    /// <returns>Whether <paramref name="reader"/> was replaced (it then starts at <paramref name="position"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryMove(long position, ref MessagePackReader reader)
    {
        long windowEnd = _windowStart + _windowLength;
        bool moved = false;
        if (windowEnd - position < Math.Min(HeaderRoom, _length - position))
        {
            // Ran out of the window while parsing: small values follow each other, a larger window saves reads. Past a
            // skipped payload: the smallest window is enough.
            bool skipped = position > windowEnd + _size;
            _size = skipped ? _smallest : Math.Min(_size * 2, _largest);
            if (skipped && _mayReadAhead)
            {
                ReadAhead(position);
            }

            Fill(position > windowEnd ? HeaderWindowStart(position) : position, _size);
            reader = CreateReader(position);
            moved = true;
        }

        return (!_mapped && TryReachValue(position, ref reader)) || moved;
    }

    /// <summary>The window's bytes from <paramref name="position"/> to its end; empty when the position is not in the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlyMemory<byte> WindowFrom(long position)
    {
        long offset = position - _windowStart;
        return offset >= 0 && offset <= _windowLength ? new ReadOnlyMemory<byte>(_buffer, (int)offset, _windowLength - (int)offset) : default;
    }

    /// <summary>
    /// The data in [<paramref name="start"/>, <paramref name="end"/>), <paramref name="start"/> in the window: a
    /// sequence over the window and what follows it (the mapping, or placeholder memory), valid until the window moves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySequence<byte> Slice(long start, long end)
    {
        int offset = (int)(start - _windowStart);
        long windowEnd = _windowStart + _windowLength;
        if (end <= windowEnd)
        {
            return new ReadOnlySequence<byte>(_buffer, offset, (int)(end - start));
        }

        // The segment the slice ends in: the rest of the block the window ends in (_tail), or a whole block.
        int block = (int)((end - 1) / _blockSize);
        WindowSegment last = ReferenceEquals(_window.Next, _tail) && block == (int)(windowEnd / _blockSize) ? _tail : _blockSegments[block];
        return new ReadOnlySequence<byte>(_window, offset, last, (int)(end - last.RunningIndex));
    }

    /// <summary>
    /// A reader at <paramref name="position"/>, for a walk that skipped a value past its reader's end without reading
    /// it: over the window when the position is in it; else an empty reader, which the next parsing step replaces
    /// (<see cref="TryMove"/> always moves the window to a position past it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public MessagePackReader ReaderAfterSkip(long position) =>
        position < _windowStart + _windowLength ? CreateReader(position) : new MessagePackReader(ReadOnlyMemory<byte>.Empty);

    /// <summary>Ends the walk's use of the source: after this, no read of it starts on the walk's behalf.</summary>
    /// <remarks>The window's buffer goes back to the pool: nothing the walk made refers to it (strings and bytes are copies, arrays are over the mapping or the source).</remarks>
    public void Finish()
    {
        _readAhead?.Finish();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Counts the bytes of a value in [<paramref name="start"/>, <paramref name="end"/>) that were read through the mapping, past the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CountPastWindow(long start, long end)
    {
        long windowEnd = _windowStart + _windowLength;
        if (end > windowEnd)
        {
            BytesRead += end - Math.Max(start, windowEnd);
        }
    }

    // Without a mapping: brings the value at position into the window whole (a string, binary or ext value; of an
    // ndarray, its header, not its payload), so that nothing the walk reads is placeholder memory.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReachValue(long position, ref MessagePackReader reader)
    {
        bool moved = false;
        for (long end = ValueEnd(reader, position); end > _windowStart + _windowLength; end = ValueEnd(reader, position))
        {
            if (end - position > Array.MaxLength)
            {
                // No .NET value (string, byte[]) holds that much: the walk fails on it as it does over a mapping.
                break;
            }

            Fill(position, (int)Math.Max(end - position, _size));
            reader = CreateReader(position);
            moved = true;
        }

        return moved;
    }

    // Where the part of the value at position that the walk reads ends, measured on the window (a measure that ends
    // in the window read only real bytes; one past it is redone once the window holds that far). Malformed values
    // are measured as far as they parse: the walk then meets the same error in real bytes.
    private long ValueEnd(MessagePackReader reader, long position)
    {
        MessagePackReader peek = reader.CreatePeekReader();

        // A peek reader counts what its parent consumed before it, too.
        long start = position - peek.Consumed;
        long windowEnd = _windowStart + _windowLength;
        try
        {
            switch (peek.NextMessagePackType)
            {
                case MessagePackType.String:
                    peek.ReadStringSequence();
                    return start + peek.Consumed;
                case MessagePackType.Binary:
                    peek.ReadBytes();
                    return start + peek.Consumed;
                case MessagePackType.Extension:
                    ExtensionHeader header = peek.ReadExtensionFormatHeader();
                    long payloadStart = start + peek.Consumed;
                    if (header.Length > _length - payloadStart)
                    {
                        return position; // The walk refuses the claim without reading the payload.
                    }

                    if (header.TypeCode != ExtensionTypeCodes.NdArray)
                    {
                        return payloadStart + header.Length;
                    }

                    // An ndarray: [shape, dtype, bytes]; its header ends where the bytes start.
                    var inner = new MessagePackReader(peek.ReadRaw(header.Length));
                    try
                    {
                        inner.ReadArrayHeader();
                        inner.Skip();
                        inner.Skip();
                        if (inner.ReadBytes() is { } data)
                        {
                            return payloadStart + inner.Consumed - data.Length;
                        }

                        // Nil where the bytes belong: read only as far as that, so real bytes when in the window.
                        long nilEnd = payloadStart + inner.Consumed;
                        return nilEnd <= windowEnd ? position : Math.Min(payloadStart + header.Length, nilEnd + HeaderRoom);
                    }
                    catch (Exception e) when (WireErrors.IsWireError(e))
                    {
                        // Failed within the window: real bytes, the walk fails the same way. Past it: read further.
                        long reached = payloadStart + inner.Consumed;
                        return reached + 16 <= windowEnd ? position : Math.Min(payloadStart + header.Length, reached + HeaderRoom);
                    }

                default:
                    return position;
            }
        }
        catch (Exception e) when (WireErrors.IsWireError(e))
        {
            // A header cut short by the end of the data: the walk reports it.
            return position;
        }
    }

    // Past a skipped payload, a read from the start of the header's page (when that page holds HeaderRoom bytes after
    // it) copies one page of the page cache instead of parts of two: measurably cheaper.
    private static long HeaderWindowStart(long position)
    {
        long offsetInPage = position % PageSize;
        return offsetInPage <= PageSize - HeaderRoom ? position - offsetInPage : position;
    }

    // Past a skipped payload: tells the predictor where this header is, and asks the read-ahead for the windows of the
    // headers it predicts, as many as it has room for.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadAhead(long position)
    {
        bool held = _predictor.Observe(position);
        if (!held)
        {
            _readAhead?.DropPending();
        }

        if (!_predictor.HasPattern)
        {
            return;
        }

        if (_readAhead is null)
        {
            // A few headers more are not worth waking a thread for.
            if (_predictor.HeadersWithin(_length - position) < MinHeadersToReadAhead)
            {
                return;
            }

            _readAhead = new WindowReadAhead(_source, _smallest);
        }
        else if (held && _readAhead.Pending > WindowReadAhead.Depth / 2)
        {
            // Asked for in batches: each batch may wake a pool thread, which costs more than a read.
            return;
        }

        while (_readAhead.HasRoom)
        {
            long next = _predictor.NextAhead();
            if (next >= _length)
            {
                break;
            }

            long start = HeaderWindowStart(next);
            _readAhead.TryRequest(start, (int)Math.Min(_smallest, _length - start));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private MessagePackReader CreateReader(long position)
    {
        int offset = (int)(position - _windowStart);
        return _last is null
            ? new MessagePackReader(new ReadOnlyMemory<byte>(_buffer, offset, _windowLength - offset))
            : new MessagePackReader(new ReadOnlySequence<byte>(_window, offset, _last, _last.Memory.Length));
    }

    // Reads the window at start and links it to the rest of the data.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill(long start, int window)
    {
        int size = (int)Math.Min(window, _length - start);
        if (size > _buffer.Length)
        {
            // Nothing refers to the old window once the walk takes a new reader, which it does after every fill.
            byte[] larger = ArrayPool<byte>.Shared.Rent(size);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        int filled = _readAhead is not null && _readAhead.TryTake(start, _buffer.AsSpan(0, size)) ? size : 0;
        while (filled < size)
        {
            int read = _source.ReadAt(start + filled, _buffer.AsSpan(filled, size - filled));
            if (read == 0)
            {
                throw new FileShrankException(start + filled, _length);
            }

            filled += read;
        }

        BytesRead += size;
        _windowStart = start;
        _windowLength = size;
        long windowEnd = start + size;
        if (windowEnd == _length)
        {
            _window.Set(new ReadOnlyMemory<byte>(_buffer, 0, size), start, null);
            _last = null;
            return;
        }

        int block = (int)(windowEnd / _blockSize);
        int offset = (int)(windowEnd - ((long)block * _blockSize));
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
}
