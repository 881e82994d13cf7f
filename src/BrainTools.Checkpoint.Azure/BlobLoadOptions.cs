namespace BrainTools.Checkpoint.Azure;

/// <summary>How a checkpoint is loaded from a blob. Immutable; derive variants with <c>with</c>.</summary>
public sealed record BlobLoadOptions
{
    /// <summary>The defaults: ranges of 4 MiB, 8 in flight.</summary>
    public static BlobLoadOptions Default { get; } = new();

    /// <summary>
    /// Bytes per ranged download that cost about one round trip (default 4 MiB): the lazy index pass reads windows of
    /// this much, and a full load reads blocks of at least this much (<see cref="BlobCheckpointSource.PreferredReadSize"/>).
    /// </summary>
    public int RangeSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 4 << 20;

    /// <summary>Ranged downloads in flight at once in a full load or a large array read (default 8; <see cref="BlobCheckpointSource.MaxConcurrentReads"/>).</summary>
    public int MaxConcurrency
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 8;

    /// <summary>Limits of the checkpoint format (depth, size); <see cref="MsgpackOptions.Default"/> when null.</summary>
    public MsgpackOptions? Msgpack { get; init; }
}
