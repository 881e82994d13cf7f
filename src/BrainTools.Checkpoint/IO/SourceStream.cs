namespace BrainTools.Checkpoint.IO;

/// <summary>
/// A read-only, seekable stream over an <see cref="ICheckpointSource"/>, for System.IO.Compression's zip reader, which
/// reads an archive through a stream: its directory, each member's local header, then the member's bytes. Counts the
/// bytes it takes from the source (<see cref="BytesRead"/>).
/// </summary>
/// <remarks>
/// <para>Reads shorter than the window are served from one window read at their offset, so the zip reader's small
/// reads (a local header, a .npy header) cost one read of the source per member, which matters where a read is a
/// round trip (a blob); longer reads go to the source as they are, after what the window still holds, so a stored
/// array is read once, into its own memory. As <c>Format/WireWindow</c> does, the window starts at the source's
/// preferred read size (a page for a file, a few MiB for a blob) and doubles, up to 64 KiB or that size, while reads
/// follow each other (a member being inflated in small blocks), and falls back to the smallest after a seek.</para>
/// <para>Not thread-safe: the archive reads one member at a time.</para>
/// </remarks>
internal sealed class SourceStream : Stream
{
    private const int LargestWindowOfPages = 64 << 10;

    private readonly ICheckpointSource _source;
    private readonly int _smallest;
    private readonly int _largest;
    private byte[] _window;
    private int _size;
    private long _windowStart;
    private int _windowLength;

    // Where the last read of the source ended: a read that starts there follows it.
    private long _readEnd = -1;
    private long _position;
    private long _bytesRead;

    public SourceStream(ICheckpointSource source)
    {
        _source = source;
        _smallest = Math.Max(512, source.PreferredReadSize);
        _largest = Math.Max(_smallest, LargestWindowOfPages);
        _size = _smallest;
        _window = [];
    }

    /// <summary>The bytes read from the source so far, windows included.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _source.Length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), "The position cannot be negative.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long remaining = _source.Length - _position;
        if (buffer.IsEmpty || remaining <= 0)
        {
            return 0;
        }

        if (buffer.Length > remaining)
        {
            buffer = buffer[..(int)remaining];
        }

        int done = CopyFromWindow(buffer);
        if (done == buffer.Length)
        {
            return done;
        }

        Span<byte> rest = buffer[done..];
        _size = _position == _readEnd ? (int)Math.Min(_largest, 2L * _size) : _smallest;
        if (rest.Length >= _size)
        {
            return done + ReadSource(rest, advance: true);
        }

        if (_window.Length < _size)
        {
            _window = new byte[_size];
        }

        _windowStart = _position;
        _windowLength = ReadSource(_window.AsSpan(0, _size), advance: false);
        return done + CopyFromWindow(rest);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _source.Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // The bytes at the position that the last window holds, if any.
    private int CopyFromWindow(Span<byte> buffer)
    {
        long skip = _position - _windowStart;
        if (skip < 0 || skip >= _windowLength)
        {
            return 0;
        }

        int count = (int)Math.Min(buffer.Length, _windowLength - skip);
        _window.AsSpan((int)skip, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    private int ReadSource(Span<byte> buffer, bool advance)
    {
        int read = _source.ReadAt(_position, buffer);
        _readEnd = _position + read;
        Interlocked.Add(ref _bytesRead, read);
        if (advance)
        {
            _position += read;
        }

        return read;
    }
}
