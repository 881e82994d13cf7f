using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>A write-only stream that keeps what is written and records each write: its length and whether it came straight from a watched buffer.</summary>
internal sealed class RecordingStream : Stream
{
    private readonly Array? _watched;
    private readonly MemoryStream _content = new();

    public RecordingStream(Array? watched = null)
    {
        _watched = watched;
    }

    public List<(int Length, bool SameMemory)> Writes { get; } = [];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _content.Length;

    public override long Position
    {
        get => _content.Position;
        set => throw new NotSupportedException();
    }

    public byte[] ToArray() => _content.ToArray();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        bool same = _watched is not null && buffer.Length > 0
            && Unsafe.AreSame(ref MemoryMarshal.GetReference(buffer), ref MemoryMarshal.GetArrayDataReference(_watched));
        Writes.Add((buffer.Length, same));
        _content.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
