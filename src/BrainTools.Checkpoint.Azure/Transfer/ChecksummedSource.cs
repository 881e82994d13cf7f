using System.IO.Hashing;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// A source that hashes the bytes of a full load as they are read (XXH3-64, the checkpoint manifest's checksum), so
/// the check costs no second download. XXH3 takes its input in order, so this source asks for one read at a time.
/// </summary>
internal sealed class ChecksummedSource(ICheckpointSource inner) : ICheckpointSource
{
    private readonly XxHash3 hash = new();
    private long hashed;

    public string Name => inner.Name;

    public long Length => inner.Length;

    public int PreferredReadSize => inner.PreferredReadSize;

    /// <summary>One: a full load then reads its blocks in order, one after the other.</summary>
    public int MaxConcurrentReads => 1;

    /// <summary>Whether every byte was read, so <see cref="Checksum"/> covers the whole checkpoint.</summary>
    public bool Complete => hashed == inner.Length;

    /// <summary>The checksum of the bytes read so far, in the manifest's form (<c>xxh3-64:</c> and 16 hex digits).</summary>
    public string Checksum => BlobCommitStream.Checksum(hash.GetCurrentHashAsUInt64());

    public int ReadAt(long offset, Span<byte> destination)
    {
        if (offset != hashed)
        {
            throw new InvalidOperationException($"A checksummed read of {Name} must be sequential: asked for offset {offset} after {hashed} bytes.");
        }

        int read = inner.ReadAt(offset, destination);
        hash.Append(destination[..read]);
        hashed += read;
        return read;
    }

    public void Dispose() => inner.Dispose();
}
