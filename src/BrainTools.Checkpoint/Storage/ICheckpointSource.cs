namespace BrainTools.Checkpoint;

/// <summary>
/// The bytes of one checkpoint where it is kept (a local file, a blob in object storage), read at any offset: what
/// <see cref="Msgpack.Load(ICheckpointSource, MsgpackOptions?)"/>, <see cref="Msgpack.Open(ICheckpointSource, MsgpackOptions?)"/>
/// and <see cref="Msgpack.LoadInto{T}(ICheckpointSource, T, Mismatch, MsgpackOptions?)"/> read from. A backend for
/// another store implements these five members; nothing else in the library changes.
/// </summary>
/// <remarks>
/// <para>Implementations: <see cref="FileCheckpointSource"/> (here) and <c>BlobCheckpointSource</c>
/// (BrainTools.Checkpoint.Azure).</para>
/// <para>A source is one version of the checkpoint: <see cref="Length"/> never changes, and a read of an object
/// that was replaced meanwhile fails (a blob read pinned with <c>If-Match</c>) rather than mixing two versions.</para>
/// <para>Thread safety: <see cref="ReadAt"/> is called from up to <see cref="MaxConcurrentReads"/> threads at once.</para>
/// </remarks>
public interface ICheckpointSource : IDisposable
{
    /// <summary>The path or URL of the checkpoint, as errors name it.</summary>
    string Name { get; }

    /// <summary>The checkpoint's length in bytes.</summary>
    long Length { get; }

    /// <summary>
    /// The read size below which a read costs about as much as one of this size: a page for a local file, a few MiB
    /// for object storage, where each read is a round trip. The index pass of a lazy open reads windows of at least
    /// this much, so a file of many small arrays costs few reads.
    /// </summary>
    int PreferredReadSize { get; }

    /// <summary>
    /// How many reads may usefully run at once: a full load reads large ranges in that many blocks in parallel, and
    /// with more than one (and a <see cref="PreferredReadSize"/> of at most 64 KiB) a lazy open may read the windows of
    /// predicted headers ahead on a thread-pool thread while it parses.
    /// </summary>
    int MaxConcurrentReads { get; }

    /// <summary>Reads up to <paramref name="destination"/>'s length in bytes from <paramref name="offset"/>.</summary>
    /// <param name="offset">Where to start, from 0 to <see cref="Length"/>.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <returns>How many bytes were read: fewer than asked only at the end of the data (0 past it).</returns>
    /// <exception cref="IOException">The read failed (the backend may throw its own subclass, or its own typed errors).</exception>
    int ReadAt(long offset, Span<byte> destination);
}
