using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// Where one save goes and what its commit does: <see cref="SaveJob"/> runs every save through these three steps,
/// whoever makes it (<see cref="Msgpack"/>'s save, <see cref="CheckpointManager"/>), so the snapshot policy and the
/// order of write and commit exist once.
/// </summary>
internal abstract class SaveTarget
{
    /// <summary>Refuses the save before any work when it cannot commit (an existing file that may not be replaced).</summary>
    /// <exception cref="CheckpointException">The save would fail at its commit.</exception>
    public abstract void ThrowIfCannotCommit();

    /// <summary>Opens the temporary file beside the target.</summary>
    public abstract PendingFile Begin();

    /// <summary>Writes <paramref name="root"/> into <paramref name="file"/>; <paramref name="arrayWritten"/> hears of each array once it is written.</summary>
    public abstract void Write(PendingFile file, StateNode root, Action<NdArray>? arrayWritten);

    /// <summary>Makes the written file the checkpoint (and does what follows a commit, such as a manifest).</summary>
    public abstract void Commit(PendingFile file);
}
