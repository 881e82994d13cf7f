namespace BrainTools.Checkpoint;

/// <summary>The result of <see cref="CheckpointManager.VerifyFile"/>: a checkpoint file checked against the manifest beside it.</summary>
/// <param name="Status">What was found.</param>
/// <param name="ManifestPath">The <c>manifest.json</c> looked at (it may not exist).</param>
/// <param name="RecordedSize">The size the manifest records, or null when it records none.</param>
/// <param name="ActualSize">The file's size.</param>
/// <param name="RecordedChecksum">The checksum the manifest records (<c>xxh3-64:</c> and 16 hex digits), or null.</param>
/// <param name="ActualChecksum">The file's checksum, when it was computed (only when the size matched and the algorithm is known).</param>
public sealed record ChecksumVerification(ChecksumStatus Status, string ManifestPath, long? RecordedSize, long ActualSize, string? RecordedChecksum, string? ActualChecksum)
{
    /// <summary>Whether nothing recorded contradicts the file (<see cref="ChecksumStatus.SizeMismatch"/> and <see cref="ChecksumStatus.ChecksumMismatch"/> do).</summary>
    public bool IsIntact => Status is not (ChecksumStatus.SizeMismatch or ChecksumStatus.ChecksumMismatch);
}
