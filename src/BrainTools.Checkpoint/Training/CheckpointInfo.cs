namespace BrainTools.Checkpoint;

/// <summary>
/// One checkpoint of a <see cref="CheckpointManager"/>, as its manifest records it: the file, the training step,
/// when it was saved, its metric, its size and checksum, the library version that wrote it and user fields.
/// </summary>
/// <param name="File">The file name inside the manager's directory (<c>checkpoint_10.msgpack</c>).</param>
/// <param name="Path">The full path of the file.</param>
/// <param name="Step">The training step.</param>
/// <param name="Time">When the save was made, UTC.</param>
/// <param name="Metric">The metric given to the save, or null.</param>
/// <param name="Size">The file's length in bytes.</param>
/// <param name="Checksum">The file's checksum, <c>xxh3-64:</c> and 16 lowercase hex digits of XXH3-64 over its bytes.</param>
/// <param name="LibraryVersion">The version of this library that wrote the file.</param>
/// <param name="User">The user fields given to the save: strings, numbers (<c>long</c> or <c>double</c>) and bools.</param>
public sealed record CheckpointInfo(
    string File,
    string Path,
    long Step,
    DateTimeOffset Time,
    double? Metric,
    long Size,
    string Checksum,
    string LibraryVersion,
    IReadOnlyDictionary<string, object> User);
