namespace BrainTools.Checkpoint;

/// <summary>
/// A write in progress to an <see cref="ICheckpointStore"/>: nothing is visible under the name until
/// <see cref="Commit"/>, which makes the whole content appear at once (a rename, a block list commit) or not at all.
/// Disposing without a commit abandons the write and leaves what was there as it was.
/// </summary>
public interface ICheckpointWriter : IDisposable
{
    /// <summary>Where the content goes: written from start to end, once.</summary>
    Stream Stream { get; }

    /// <summary>Makes the written content the object, if the write's <see cref="StoreCondition"/> still holds.</summary>
    /// <returns>The committed object, with its new version.</returns>
    /// <exception cref="CheckpointConflictException">The condition failed: nothing was replaced.</exception>
    /// <exception cref="IOException">The store failed (a backend may throw its own typed errors); what was there is intact.</exception>
    StoredCheckpoint Commit();
}
