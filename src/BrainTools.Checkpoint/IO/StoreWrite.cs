namespace BrainTools.Checkpoint.IO;

/// <summary>One whole write to a store: begun under a condition, written, committed; abandoned if anything fails, so what was there stays.</summary>
internal static class StoreWrite
{
    /// <summary>Writes <paramref name="name"/> of <paramref name="store"/> through <paramref name="write"/> and commits it under <paramref name="condition"/>.</summary>
    /// <returns>The committed object.</returns>
    /// <exception cref="CheckpointConflictException">The condition failed; nothing was replaced.</exception>
    public static StoredCheckpoint Write(ICheckpointStore store, string name, StoreCondition condition, Action<Stream> write)
    {
        using ICheckpointWriter writer = store.BeginWrite(name, condition);
        write(writer.Stream);
        return writer.Commit();
    }

    /// <summary>The condition of a save that may or may not replace what is there.</summary>
    public static StoreCondition Overwriting(bool overwrite) => overwrite ? StoreCondition.None : StoreCondition.IfAbsent;
}
