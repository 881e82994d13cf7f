namespace BrainTools.Checkpoint;

/// <summary>An object of an <see cref="ICheckpointStore"/>: its name in the store, its length, when it was last committed and its version.</summary>
/// <param name="Name">The name in the store (<c>checkpoint_10.msgpack</c>, <c>manifest.json</c>).</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="LastModified">When it was last committed.</param>
/// <param name="Version">What changes whenever it is replaced (an ETag, for object storage): the token of <see cref="StoreCondition.IfVersion"/>.</param>
public sealed record StoredCheckpoint(string Name, long Length, DateTimeOffset LastModified, string Version);
