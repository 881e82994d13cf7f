namespace BrainTools.Checkpoint;

/// <summary>
/// A place that keeps named checkpoints: a local directory, a prefix of a blob container. What
/// <see cref="Msgpack.Save(ICheckpointStore, string, object?, bool, MsgpackOptions?, AsyncManager?)"/> and
/// <see cref="CheckpointManager"/> write to and read from. A backend for another store (S3, say) implements these
/// six members; nothing else in the library changes.
/// </summary>
/// <remarks>
/// <para>Commit rule: a write appears whole or not at all (<see cref="ICheckpointWriter.Commit"/>), under a
/// <see cref="StoreCondition"/> checked at the commit. A failed or abandoned write never damages what was there.</para>
/// <para>Implementations: <see cref="FileCheckpointStore"/> (here) and <c>BlobCheckpointStore</c>
/// (BrainTools.Checkpoint.Azure). All members may be called from several threads at once.</para>
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>The directory's full path, or the prefix's URL, as messages name the store.</summary>
    string Name { get; }

    /// <summary>The path or URL of the object <paramref name="name"/>, as messages and <see cref="CheckpointInfo.Path"/> name it.</summary>
    string Locate(string name);

    /// <summary>The committed objects directly in the store (not writes in progress), in no particular order.</summary>
    /// <exception cref="IOException">The store cannot be listed.</exception>
    IReadOnlyList<StoredCheckpoint> List();

    /// <summary>The object <paramref name="name"/>, or null when there is none.</summary>
    StoredCheckpoint? Find(string name);

    /// <summary>Opens the object <paramref name="name"/> for reading, pinned to the version it has now.</summary>
    /// <exception cref="FileNotFoundException">There is no such object (a backend may throw its own typed not-found error).</exception>
    ICheckpointSource OpenRead(string name);

    /// <summary>Starts a write of <paramref name="name"/> that commits only under <paramref name="condition"/>.</summary>
    /// <exception cref="CheckpointConflictException">The condition already fails (the backend may check it only at the commit).</exception>
    ICheckpointWriter BeginWrite(string name, StoreCondition condition);

    /// <summary>Deletes the object <paramref name="name"/>; nothing happens when there is none.</summary>
    /// <exception cref="IOException">The store refused.</exception>
    void Delete(string name);
}
