using System.IO.Hashing;


namespace BrainTools.Checkpoint.IO;

/// <summary>
/// A write-only stream that passes everything to another stream and hashes it on the way (XXH3-64), so a
/// checkpoint's checksum costs no second read of the file.
/// </summary>
internal sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly XxHash3 _hash = new();

    public HashingStream(Stream inner) => _inner = inner;

    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    /// <summary>The XXH3-64 of everything written.</summary>
    public ulong Hash => _hash.GetCurrentHashAsUInt64();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.Append(buffer);
        _inner.Write(buffer);
        Written += buffer.Length;
    }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
