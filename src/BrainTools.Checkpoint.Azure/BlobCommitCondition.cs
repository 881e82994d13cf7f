using Azure;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// When a save may commit its block list: the condition the commit carries (<c>If-None-Match</c> /
/// <c>If-Match</c>), so that two writers cannot overwrite each other's checkpoint unnoticed. The loser of a race
/// gets a <see cref="BlobCheckpointConflictException"/> and commits nothing; the winner's blob is intact.
/// </summary>
public sealed class BlobCommitCondition
{
    private BlobCommitCondition(BlobCommitMode mode, ETag etag)
    {
        Mode = mode;
        ETag = etag;
    }

    /// <summary>
    /// Replace only the version seen when the save started (the default): <c>If-Match</c> its ETag, or
    /// <c>If-None-Match: *</c> when there was none. A writer that committed in between makes this save fail.
    /// </summary>
    public static BlobCommitCondition IfUnchanged { get; } = new(BlobCommitMode.IfUnchanged, default);

    /// <summary>The blob must not exist (<c>If-None-Match: *</c>); checked before the upload starts and again at the commit.</summary>
    public static BlobCommitCondition CreateNew { get; } = new(BlobCommitMode.CreateNew, default);

    /// <summary>Replace whatever is there, without a condition: the last commit wins and nobody is told.</summary>
    public static BlobCommitCondition Overwrite { get; } = new(BlobCommitMode.Overwrite, default);

    /// <summary>What the commit requires.</summary>
    public BlobCommitMode Mode { get; }

    /// <summary>The version that <see cref="BlobCommitMode.IfMatch"/> replaces.</summary>
    public ETag ETag { get; }

    /// <summary>Replace exactly the version <paramref name="etag"/> (<c>If-Match</c>), as returned by an earlier save or load.</summary>
    public static BlobCommitCondition IfMatch(ETag etag)
    {
        if (etag == default || etag == ETag.All)
        {
            throw new ArgumentException("IfMatch needs the ETag of one version of the blob.", nameof(etag));
        }

        return new(BlobCommitMode.IfMatch, etag);
    }

    /// <inheritdoc/>
    public override string ToString() => Mode == BlobCommitMode.IfMatch ? $"IfMatch({ETag})" : Mode.ToString();
}
