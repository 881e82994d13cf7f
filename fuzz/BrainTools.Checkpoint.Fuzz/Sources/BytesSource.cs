namespace BrainTools.Checkpoint.Fuzz.Sources;

/// <summary>The input as a source that is not a file (nothing maps it, as for a blob), answering with short reads.</summary>
internal sealed class BytesSource(byte[] data) : ICheckpointSource
{
    public string Name => "memory://open.msgpack";

    public long Length => data.Length;

    public int PreferredReadSize => 4096;

    public int MaxConcurrentReads => 1;

    public int ReadAt(long offset, Span<byte> destination)
    {
        int count = (int)Math.Min(Math.Min(destination.Length, 1000), Math.Max(0, data.Length - offset));
        data.AsSpan((int)offset, count).CopyTo(destination);
        return count;
    }

    public void Dispose()
    {
    }
}
