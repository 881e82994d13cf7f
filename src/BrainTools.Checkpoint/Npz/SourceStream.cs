namespace BrainTools.Checkpoint;

/// <summary>
/// A read-only, seekable stream over an <see cref="ICheckpointSource"/>, for System.IO.Compression's zip reader, which
/// reads an archive through a stream: its directory, each member's local header, then the member's bytes. Counts the
/// bytes it takes from the source (<see cref="BytesRead"/>).
/// </summary>
/// <remarks>
/// <para>Reads shorter than a window (the source's preferred read size, at most 64 KiB) are served from one window read
/// at their offset, so the zip reader's small reads (a local header, a .npy header) cost one read of the source each
/// member, which matters where a read is a round trip (a blob); longer reads go to the source as they are, after what
/// the window still holds, so an array is read once, into its own memory.</para>
/// <para>Not thread-safe: the archive reads one member at a time.</para>
/// </remarks>
internal sealed class SourceStream : Stream
{
    private const int LargestWindow = 64 << 10;

    private readonly ICheckpointSource _source;
    private readonly byte[] _window;
    private long _windowStart;
    private int _windowLength;
    private long _position;
    private long _bytesRead;

    public SourceStream(ICheckpointSource source)
    {
        _source = source;
        _window = new byte[Math.Clamp(source.PreferredReadSize, 512, LargestWindow)];
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
        if (rest.Length >= _window.Length)
        {
            return done + ReadSource(_position, rest, advance: true);
        }

        _windowStart = _position;
        _windowLength = ReadSource(_position, _window, advance: false);
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

    private int ReadSource(long offset, Span<byte> buffer, bool advance)
    {
        int read = _source.ReadAt(offset, buffer);
        Interlocked.Add(ref _bytesRead, read);
        if (advance)
        {
            _position += read;
        }

        return read;
    }
}
