using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The source of a lazy open's walk: a window of the file read with positional reads, followed by the rest of the
/// file through its mapping, so a value never looks cut short and array payloads are sliced without being touched.
/// </summary>
/// <remarks>
/// <para>Headers are read with reads rather than through the mapping: touching one header page every few MiB of a
/// mapping costs a page fault and a fresh page-table page each; reads cost neither.</para>
/// <para>The window starts at 4 KiB and doubles, up to 64 KiB, while the walk runs out of it without skipping a
/// payload (many small values in a row), and falls back to 4 KiB past a skipped payload: a file of many small arrays
/// needs few reads, a file of large ones reads no more than a page per header. No thread reads ahead.</para>
/// <para>The window's segments are re-linked, not allocated, when it moves: sequences over the previous window are no
/// longer used once a step moves it.</para>
/// <para>Headers are not read ahead. What a header's read costs is the page-cache lookup and the copy, not the system
/// call: a read-ahead that batches predicted windows into one submission (io_uring, tried) does the same work on the
/// same core, plus its own, and came out slower; one on a thread of its own wins only while a core is idle. The hot
/// methods are compiled fully optimized at once: an index pass runs mostly before tiered compilation would optimize
/// them (docs/performance.md).</para>
/// </remarks>
internal sealed class WireWindow
{
    private const int SmallestWindow = 4096;
    private const int LargestWindow = 64 << 10;
    private const int Block = 1 << 30;

    // Headers are short (an ndarray's with a rank-64 shape is under 700 bytes): a step starts with at least this
    // much of the window ahead, else the window moves first.
    private const int HeaderRoom = 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private readonly byte[] _buffer = new byte[LargestWindow];
    private readonly ReadOnlyMemory<byte>[] _blocks;

    // The mapped file in blocks of 1 GiB, each linked to the next, made once; the window links to the rest of the
    // block it ends in (_tail), which links to the next whole block.
    private readonly WindowSegment[] _blockSegments;
    private readonly WindowSegment _window = new();
    private readonly WindowSegment _tail = new();

    // The last segment after the window; null when the window reaches the end of the file.
    private WindowSegment? _last;
    private long _windowStart;
    private int _windowLength;
    private int _size = SmallestWindow;

    /// <param name="handle">The file, open for reading.</param>
    /// <param name="file">The same file in memory (mapped).</param>
    public WireWindow(SafeFileHandle handle, ArrayStorage file)
    {
        _handle = handle;
        _length = file.ByteLength;

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

    /// <summary>The file's length.</summary>
    public long Length => _length;

    /// <summary>Bytes read from the file so far: windows, and values read through the mapping past a window.</summary>
    public long BytesRead { get; private set; }

    /// <summary>A reader at the start of the file.</summary>
    public MessagePackReader Start()
    {
        Fill(0, SmallestWindow);
        return CreateReader(0);
    }

    /// <summary>
    /// Before a parsing step at <paramref name="position"/>: moves the window there, and gives a new reader from there,
    /// unless the window holds the next <see cref="HeaderRoom"/> bytes (or the rest of the file).
    /// </summary>
    /// <returns>Whether <paramref name="reader"/> was replaced (it then starts at <paramref name="position"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryMove(long position, ref MessagePackReader reader)
    {
        long windowEnd = _windowStart + _windowLength;
        if (windowEnd - position >= Math.Min(HeaderRoom, _length - position))
        {
            return false;
        }

        // Ran out of the window while parsing: small values follow each other, a larger window saves reads. Past a
        // skipped payload: one page per header is enough.
        bool skipped = position > windowEnd + _size;
        _size = skipped ? SmallestWindow : Math.Min(_size * 2, LargestWindow);

        // Past a skipped payload, a read from the start of the header's page (when that page holds HeaderRoom bytes
        // after it) copies one page of the page cache instead of parts of two: measurably cheaper.
        long offsetInPage = position % SmallestWindow;
        long start = position > windowEnd && offsetInPage <= SmallestWindow - HeaderRoom ? position - offsetInPage : position;
        Fill(start, _size);
        reader = CreateReader(position);
        return true;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private MessagePackReader CreateReader(long position)
    {
        int offset = (int)(position - _windowStart);
        return _last is null
            ? new MessagePackReader(new ReadOnlyMemory<byte>(_buffer, offset, _windowLength - offset))
            : new MessagePackReader(new ReadOnlySequence<byte>(_window, offset, _last, _last.Memory.Length));
    }

    // Reads the window at start and links it to the rest of the file.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill(long start, int window)
    {
        int size = (int)Math.Min(window, _length - start);
        int filled = 0;
        while (filled < size)
        {
            int read = RandomAccess.Read(_handle, _buffer.AsSpan(filled, size - filled), start + filled);
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
}
