namespace BrainTools.Checkpoint;

/// <summary>
/// Settings for saving and loading, immutable: derive a variant with <c>with</c>
/// (<c>MsgpackOptions.Default with { MaxChunkSize = 64 }</c>). Safe to share between threads.
/// </summary>
public sealed record MsgpackOptions
{
    /// <summary>The default threshold of braintools and flax: 2^30 bytes.</summary>
    public const long DefaultMaxChunkSize = 1L << 30;

    /// <summary>The defaults: braintools' chunk size, depth 1000, no file size limit.</summary>
    public static MsgpackOptions Default { get; } = new();

    /// <summary>
    /// Limits for files from people you do not trust: depth 256, files of at most 4 GiB, at most 2^18 values (maps
    /// and leaves) and 16 MiB of map keys in all. (Every load is already safe against hostile lengths; these bound the
    /// work and the memory.)
    /// </summary>
    /// <remarks>
    /// <para>The contract: for data of N bytes, a load with these limits (<see cref="Msgpack.Load(string, MsgpackOptions?)"/>,
    /// <see cref="Msgpack.Load(Stream, MsgpackOptions?)"/>, <see cref="Msgpack.Deserialize"/>, <see cref="Msgpack.Open(string, MsgpackOptions?)"/>)
    /// takes at most 4·N + 64 MiB of memory, the data itself included, and time linear in N; data past a limit is an
    /// <see cref="InvalidCheckpointException"/> naming the limit. Why those terms: arrays are views of the data (or one
    /// copy of it), strings and keys take at most twice their bytes as .NET strings, and each value costs a few hundred
    /// bytes of tree whatever its size on the wire (an empty map is one byte), which <see cref="MaxNodes"/> bounds.</para>
    /// <para>Data that is plainly not a checkpoint (a large file whose first value ends long before the file does, such
    /// as an all-zero file) is refused after a look at its first 64 KiB, before the rest is read.</para>
    /// </remarks>
    public static MsgpackOptions UntrustedData { get; } = new() { MaxDepth = 256, MaxFileSize = 4L << 30, MaxNodes = 1 << 18, MaxKeyBytes = 16L << 20 };

    /// <summary>
    /// Arrays of more bytes than this, when they are values in a map, are written in the chunked form
    /// (<c>__msgpack_chunked_array__</c>), split into flat chunks of at most this many bytes, as flax does.
    /// </summary>
    public long MaxChunkSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = DefaultMaxChunkSize;

    /// <summary>The deepest nesting of maps a load accepts; deeper data is refused as invalid, not a stack overflow.</summary>
    public int MaxDepth
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 1000;

    /// <summary>Files, streams and byte data larger than this many bytes are refused before anything is read; <c>null</c> for no limit.</summary>
    public long? MaxFileSize { get; init; }

    /// <summary>
    /// The most values (maps and leaves: arrays, scalars, strings) a load accepts; <c>null</c> (the default) for no
    /// limit. A value costs a few hundred bytes of tree however few bytes it takes in the file, so this bounds the
    /// memory a small hostile file can make a load take.
    /// </summary>
    public long? MaxNodes
    {
        get;
        init
        {
            if (value is long v)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(v, 1);
            }

            field = value;
        }
    }

    /// <summary>The most bytes (UTF-8) all map keys together may hold; <c>null</c> (the default) for no limit.</summary>
    public long? MaxKeyBytes
    {
        get;
        init
        {
            if (value is long v)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(v);
            }

            field = value;
        }
    }

    /// <summary>
    /// Whether a save to a path flushes the file to disk before it replaces the old one, and the directory after,
    /// so that the checkpoint survives a power cut or kernel crash (default true). Without it a killed process
    /// still leaves the old or the new file, but the OS may lose the last seconds of writes.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// Print <c>Saving checkpoint into {path}</c> and <c>Loading checkpoint from {path}</c> on each save and load of a
    /// file through <see cref="Msgpack"/>, as braintools' <c>verbose=True</c> does (default false).
    /// </summary>
    public bool Verbose { get; init; }

    /// <summary>Where <see cref="Verbose"/> messages go; <c>null</c> for <see cref="Console.Out"/>.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>
    /// Receives the warnings of calls made with these options (mismatches under warn, waiting async saves);
    /// <c>null</c> sends them to <see cref="Msgpack.Warning"/>. May be called on a background thread.
    /// </summary>
    public Action<CheckpointWarning>? OnWarning { get; init; }

    /// <summary>
    /// Receives the number of bytes read or written since the last report, as a load from a path reads the file (in
    /// blocks, from several threads for large files) and a save to a path or stream writes it; null for none. A mapped
    /// load (<see cref="CheckpointLoadMode.MemoryMap"/>) reads nothing up front and reports nothing.
    /// </summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>How a full load gets the file into memory: read (the default) or mapped.</summary>
    public CheckpointLoadMode LoadMode { get; init; } = CheckpointLoadMode.Read;

    /// <summary>
    /// Files of at least this many bytes are read with parallel positional reads (default 64 MiB); smaller ones
    /// with one thread, where starting threads costs more than it gains.
    /// </summary>
    public long ParallelReadThreshold
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 64L << 20;
}
