namespace BrainTools.Checkpoint.IO;

/// <summary>A write in progress through <see cref="AtomicFile"/>: the open temporary file, not yet renamed over the target.</summary>
/// <param name="Path">The full path of the target.</param>
/// <param name="TempPath">The temporary file beside it.</param>
/// <param name="Stream">The temporary file, open for writing (and locked against sweeps).</param>
/// <param name="Started">When the write began, UTC: temporary files older than this are stale.</param>
internal sealed record PendingFile(string Path, string TempPath, FileStream Stream, DateTime Started);
