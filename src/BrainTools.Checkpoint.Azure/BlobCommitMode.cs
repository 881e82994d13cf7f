namespace BrainTools.Checkpoint.Azure;

/// <summary>The kinds of <see cref="BlobCommitCondition"/>.</summary>
public enum BlobCommitMode
{
    /// <summary>Replace the version seen when the save started, or create the blob if there was none.</summary>
    IfUnchanged,

    /// <summary>The blob must not exist.</summary>
    CreateNew,

    /// <summary>Replace one given version.</summary>
    IfMatch,

    /// <summary>No condition.</summary>
    Overwrite,
}
