namespace BrainTools.Checkpoint;

/// <summary>What <see cref="CheckpointManager.VerifyFile"/> found for a checkpoint file.</summary>
public enum ChecksumStatus
{
    /// <summary>No <c>manifest.json</c> beside the file, or it does not list the file: nothing to check against.</summary>
    NotRecorded,

    /// <summary>A <c>manifest.json</c> is there but cannot be read as a checkpoint manager's manifest: nothing was checked.</summary>
    ManifestUnreadable,

    /// <summary>The manifest records a checksum of an algorithm the library does not know: only the size was checked.</summary>
    UnknownAlgorithm,

    /// <summary>The file has the size and the checksum the manifest records.</summary>
    Ok,

    /// <summary>The file's size differs from the one recorded (its checksum was not computed).</summary>
    SizeMismatch,

    /// <summary>The file has the recorded size but another checksum: its bytes changed since it was saved.</summary>
    ChecksumMismatch,
}
