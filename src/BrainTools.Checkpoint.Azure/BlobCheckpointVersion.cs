using Azure;

namespace BrainTools.Checkpoint.Azure;

/// <summary>One committed version of a checkpoint blob.</summary>
/// <param name="BlobUri">The blob, without its query.</param>
/// <param name="ETag">Its version: pass it to <see cref="BlobCommitCondition.IfMatch"/> to replace exactly this one.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="LastModified">When the service committed it.</param>
/// <param name="Checksum">XXH3-64 of its bytes, computed while they were written, as the checkpoint manifest records it (<c>xxh3-64:</c> and 16 hex digits).</param>
public sealed record BlobCheckpointVersion(Uri BlobUri, ETag ETag, long Length, DateTimeOffset LastModified, string Checksum);
