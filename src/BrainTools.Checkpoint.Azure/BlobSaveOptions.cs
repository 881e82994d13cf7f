namespace BrainTools.Checkpoint.Azure;

/// <summary>How a checkpoint is saved to a blob. Immutable; derive variants with <c>with</c>.</summary>
public sealed record BlobSaveOptions
{
    /// <summary>The defaults: blocks of 8 MiB, at most 5 of them in memory (40 MiB), <see cref="BlobCommitCondition.IfUnchanged"/>.</summary>
    public static BlobSaveOptions Default { get; } = new();

    /// <summary>
    /// Bytes per staged block (default 8 MiB). The service allows 50,000 blocks per blob, so this bounds the
    /// checkpoint size (390 GiB at 8 MiB) as well as the memory.
    /// </summary>
    public int BlockSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 8 << 20;

    /// <summary>
    /// The most block buffers the save holds at once, the one being filled included (default 5): the upload
    /// keeps up to this many blocks in flight, and the save's memory is at most <c>BlockSize * MaxBlocksInMemory</c>
    /// whatever the checkpoint's size. The default keeps a save within 64 MiB with the HTTP stack's own buffers.
    /// </summary>
    public int MaxBlocksInMemory
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    }

    = 5;

    /// <summary>When the commit may replace what is there; <see cref="BlobCommitCondition.IfUnchanged"/> by default.</summary>
    public BlobCommitCondition Condition { get; init; } = BlobCommitCondition.IfUnchanged;

    /// <summary>Chunk size and other settings of the checkpoint format; <see cref="MsgpackOptions.Default"/> when null.</summary>
    public MsgpackOptions? Msgpack { get; init; }
}
