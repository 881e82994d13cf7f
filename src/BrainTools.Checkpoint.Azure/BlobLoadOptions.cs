namespace BrainTools.Checkpoint.Azure;

/// <summary>How a checkpoint is loaded from a blob. Immutable; derive variants with <c>with</c>.</summary>
public sealed record BlobLoadOptions
{
    /// <summary>The defaults: ranges of 8 MiB, 8 in flight.</summary>
    public static BlobLoadOptions Default { get; } = new();

    /// <summary>Bytes per ranged download (default 8 MiB).</summary>
    public int RangeSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 8 << 20;

    /// <summary>Ranged downloads in flight at once (default 8).</summary>
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

    /// <summary>
    /// Where blobs of 64 MiB or more are staged for the core to map; null for <c>/dev/shm</c> when it has room,
    /// else the system temp folder. The staged file's name is deleted when the load ends.
    /// </summary>
    public string? StagingDirectory { get; init; }
}
