using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint;

/// <summary>A write of a <see cref="FileCheckpointStore"/>: the temporary file, renamed over the target at the commit.</summary>
internal sealed class FileCheckpointWriter(FileCheckpointStore store, string name, PendingFile file, StoreCondition condition, bool durable) : ICheckpointWriter
{
    private bool _done;

    public Stream Stream => file.Stream;

    /// <summary>When the write began, UTC.</summary>
    public DateTime Started => file.Started;

    public StoredCheckpoint Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        if (condition.Kind == StoreConditionKind.IfVersion && store.Find(name)?.Version != condition.Version)
        {
            AtomicFile.Abort(file);
            throw new CheckpointConflictException($"Cannot commit {file.Path}: it changed since version {condition.Version} was read (another writer committed it).", file.Path);
        }

        FileStamp stamp = AtomicFile.Commit(file, overwrite: condition.Kind != StoreConditionKind.IfAbsent, durable);
        return FileCheckpointStore.Describe(Path.GetFileName(file.Path), stamp);
    }

    public void Dispose()
    {
        if (!_done)
        {
            _done = true;
            AtomicFile.Abort(file);
        }
    }
}
