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
    /// Limits for files from people you do not trust: depth 256 and files of at most 4 GiB. (Every load is
    /// already safe against hostile lengths; these bound the work.)
    /// </summary>
    public static MsgpackOptions UntrustedData { get; } = new() { MaxDepth = 256, MaxFileSize = 4L << 30 };

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

    /// <summary>Files larger than this many bytes are refused before anything is read; <c>null</c> for no limit.</summary>
    public long? MaxFileSize { get; init; }

    /// <summary>
    /// Whether a save to a path flushes the file to disk before it replaces the old one, and the directory after,
    /// so that the checkpoint survives a power cut or kernel crash (default true). Without it a killed process
    /// still leaves the old or the new file, but the OS may lose the last seconds of writes.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>Where <c>verbose</c> messages go; <c>null</c> for <see cref="Console.Out"/>.</summary>
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
