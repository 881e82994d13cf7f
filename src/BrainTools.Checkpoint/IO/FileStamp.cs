namespace BrainTools.Checkpoint.IO;

/// <summary>What a committed file's version is made of: its length and when it was last written, UTC.</summary>
/// <param name="Length">The file's length in bytes.</param>
/// <param name="LastWriteTimeUtc">When it was last written, UTC (a rename keeps it).</param>
internal readonly record struct FileStamp(long Length, DateTime LastWriteTimeUtc);
