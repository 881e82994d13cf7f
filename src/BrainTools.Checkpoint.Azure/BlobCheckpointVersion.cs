using Azure;

namespace BrainTools.Checkpoint.Azure;

/// <summary>One committed version of a checkpoint blob.</summary>
/// <param name="BlobUri">The blob, without its query.</param>
/// <param name="ETag">Its version: pass it to <see cref="BlobCommitCondition.IfMatch"/> to replace exactly this one.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="LastModified">When the service committed it.</param>
public sealed record BlobCheckpointVersion(Uri BlobUri, ETag ETag, long Length, DateTimeOffset LastModified);
