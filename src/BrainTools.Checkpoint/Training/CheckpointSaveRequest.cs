namespace BrainTools.Checkpoint.Training;

/// <summary>A save of a <see cref="CheckpointManager"/>, as the caller made it: what and where, with its manifest fields.</summary>
/// <param name="Step">The training step.</param>
/// <param name="File">The file name in the directory.</param>
/// <param name="Path">The full path of the file.</param>
/// <param name="Time">When the save was made, UTC.</param>
/// <param name="Metric">The metric, or null.</param>
/// <param name="User">The user fields, checked.</param>
/// <param name="Root">The tree (sharing the caller's arrays until a snapshot is taken).</param>
internal sealed record CheckpointSaveRequest(long Step, string File, string Path, DateTimeOffset Time, double? Metric, IReadOnlyDictionary<string, object> User, StateNode Root);
