namespace BrainTools.Checkpoint;

/// <summary>
/// Settings for <see cref="Safetensors"/> and <see cref="Npz"/> saves and loads, immutable: derive a variant with
/// <c>with</c> (<c>TensorFileOptions.Default with { AllowLossy = true }</c>). Safe to share between threads.
/// </summary>
public sealed record TensorFileOptions
{
    /// <summary>The reference safetensors implementation refuses headers over 100 MB; so do we, before allocating.</summary>
    public const long DefaultMaxHeaderLength = 100_000_000;

    /// <summary>The defaults: nothing lossy, durable saves, nesting up to 1000 levels, headers up to 100 MB.</summary>
    public static TensorFileOptions Default { get; } = new();

    /// <summary>
    /// Whether values the format cannot hold are left out (and listed in the <see cref="ConversionReport"/>) instead
    /// of failing with <see cref="LossyConversionException"/> (default false). On load, for npz: members that are not
    /// arrays a tree can hold (object or string arrays) are skipped.
    /// </summary>
    public bool AllowLossy { get; init; }

    /// <summary>
    /// Whether a save flushes the file to disk before it replaces the old one, and the directory after (default true),
    /// as <see cref="MsgpackOptions.Durable"/>.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// Receives the number of bytes read or written since the last report, as the file is read or written (for a
    /// progress bar); null for none. Called on the calling thread.
    /// </summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>
    /// The deepest nesting a load builds from the names of a file (<c>a.b.c</c> is 3 levels); deeper names are refused
    /// as invalid (default 1000, as <see cref="MsgpackOptions.MaxDepth"/>).
    /// </summary>
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

    /// <summary>The longest safetensors JSON header a load accepts, in bytes (default 100 MB, the reference's limit).</summary>
    public long MaxHeaderLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    }

    = DefaultMaxHeaderLength;
}
