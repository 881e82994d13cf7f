namespace BrainTools.Checkpoint.IO;

/// <summary>
/// A write-only stream that passes everything to another stream and reports the bytes written to an
/// <see cref="IProgress{T}"/>, so a progress bar costs no second pass over the file.
/// </summary>
internal sealed class ProgressStream : Stream
{
    private readonly Stream _inner;
    private readonly IProgress<long> _progress;

    private ProgressStream(Stream inner, IProgress<long> progress)
    {
        _inner = inner;
        _progress = progress;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary><paramref name="inner"/> itself when there is nothing to report to, else a stream that reports.</summary>
    public static Stream Wrap(Stream inner, IProgress<long>? progress) => progress is null ? inner : new ProgressStream(inner, progress);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _progress.Report(buffer.Length);
    }

    public override void WriteByte(byte value)
    {
        _inner.WriteByte(value);
        _progress.Report(1);
    }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
