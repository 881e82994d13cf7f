namespace BrainTools.Checkpoint.Azure;

/// <summary>A write of a <see cref="BlobCheckpointStore"/>: blocks staged as the stream fills, the block list committed under the write's condition.</summary>
internal sealed class BlobCheckpointWriter(string name, BlobCommitStream stream) : ICheckpointWriter
{
    public Stream Stream => stream;

    public StoredCheckpoint Commit()
    {
        try
        {
            BlobCheckpointVersion version = stream.CommitAsync().GetAwaiter().GetResult();
            return new StoredCheckpoint(name, version.Length, version.LastModified, version.ETag.ToString());
        }
        catch (BlobCheckpointConflictException e)
        {
            throw new CheckpointConflictException(e.Message, stream.BlobUri.ToString(), e);
        }
    }

    // Uncommitted blocks are never visible, and the service discards them.
    public void Dispose() => stream.Dispose();
}
