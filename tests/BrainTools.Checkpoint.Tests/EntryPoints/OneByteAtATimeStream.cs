namespace BrainTools.Checkpoint.Tests.EntryPoints;

/// <summary>
/// A non-seekable stream that hands out one byte per read and takes writes through unchanged, like
/// MessagePack-CSharp's test stream: it catches readers that assume a read fills their buffer.
/// </summary>
internal sealed class OneByteAtATimeStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));

    public override int Read(Span<byte> buffer) => inner.Read(buffer[..Math.Min(buffer.Length, 1)]);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
