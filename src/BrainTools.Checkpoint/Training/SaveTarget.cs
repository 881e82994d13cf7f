namespace BrainTools.Checkpoint.Training;

/// <summary>
/// Where one save goes and what its commit does: <see cref="SaveJob"/> runs every save through these steps,
/// whoever makes it (<see cref="Msgpack"/>'s save, <see cref="CheckpointManager"/>), so the snapshot policy and the
/// order of write and commit exist once.
/// </summary>
internal abstract class SaveTarget
{
    /// <summary>Refuses the save before any work when it cannot commit (an existing checkpoint that may not be replaced).</summary>
    /// <exception cref="CheckpointConflictException">The save would fail at its commit.</exception>
    public abstract void ThrowIfCannotCommit();

    /// <summary>Starts the write in the store: nothing is visible until the commit.</summary>
    public abstract ICheckpointWriter Begin();

    /// <summary>Writes <paramref name="root"/> into <paramref name="writer"/>; <paramref name="arrayWritten"/> hears of each array once it is written.</summary>
    public abstract void Write(ICheckpointWriter writer, StateNode root, Action<NdArray>? arrayWritten);

    /// <summary>Makes the written content the checkpoint (and does what follows a commit, such as a manifest).</summary>
    public abstract void Commit(ICheckpointWriter writer);
}
