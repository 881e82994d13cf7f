using System.Globalization;

namespace BrainTools.Checkpoint.Tests.Sources;

/// <summary>
/// A store that is neither a directory nor a blob container: objects in memory, committed atomically under their
/// condition as object storage does (a version counter for the ETag). It shows that a third backend needs nothing
/// but the six members; it can fail the commits of chosen names, as a crash or a network fault would.
/// </summary>
internal sealed class MemoryCheckpointStore : ICheckpointStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Content, string Version, DateTimeOffset Time)> _objects = new(StringComparer.Ordinal);
    private long _nextVersion;

    public string Name { get; init; } = "memory://run";

    /// <summary>Commits of these names throw an <see cref="IOException"/>, before anything is committed.</summary>
    public HashSet<string> FailCommitsOf { get; } = new(StringComparer.Ordinal);

    public int Commits { get; private set; }

    /// <summary>How many times an object was opened for reading.</summary>
    public int OpenReads { get; private set; }

    public string Locate(string name) => $"{Name}/{name}";

    public IReadOnlyList<StoredCheckpoint> List()
    {
        lock (_gate)
        {
            return [.. _objects.Select(o => new StoredCheckpoint(o.Key, o.Value.Content.Length, o.Value.Time, o.Value.Version))];
        }
    }

    public StoredCheckpoint? Find(string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(name, out var o) ? new StoredCheckpoint(name, o.Content.Length, o.Time, o.Version) : null;
        }
    }

    public ICheckpointSource OpenRead(string name)
    {
        lock (_gate)
        {
            OpenReads++;
            return _objects.TryGetValue(name, out var o)
                ? new RecordingSource(o.Content) { Name = Locate(name) }
                : throw new FileNotFoundException($"Checkpoint not found: {Locate(name)}", Locate(name));
        }
    }

    public ICheckpointWriter BeginWrite(string name, StoreCondition condition) => new Writer(this, name, condition);

    public void Delete(string name)
    {
        lock (_gate)
        {
            _objects.Remove(name);
        }
    }

    /// <summary>Replaces an object's bytes behind the store's back (damage by hand); its version changes.</summary>
    public void Damage(string name, Func<byte[], byte[]> change)
    {
        lock (_gate)
        {
            var o = _objects[name];
            _objects[name] = (change(o.Content), NewVersion(), DateTimeOffset.UtcNow);
        }
    }

    private string NewVersion() => "v" + (++_nextVersion).ToString(CultureInfo.InvariantCulture);

    private StoredCheckpoint Commit(string name, StoreCondition condition, byte[] content)
    {
        lock (_gate)
        {
            if (FailCommitsOf.Contains(name))
            {
                throw new IOException($"connection reset committing {Locate(name)}");
            }

            bool exists = _objects.TryGetValue(name, out var current);
            bool holds = condition.Kind switch
            {
                StoreConditionKind.IfAbsent => !exists,
                StoreConditionKind.IfVersion => exists && current.Version == condition.Version,
                _ => true,
            };
            if (!holds)
            {
                throw new CheckpointConflictException($"The condition of {Locate(name)} failed ({condition}).", Locate(name));
            }

            string version = NewVersion();
            _objects[name] = (content, version, DateTimeOffset.UtcNow);
            Commits++;
            return new StoredCheckpoint(name, content.Length, _objects[name].Time, version);
        }
    }

    private sealed class Writer(MemoryCheckpointStore store, string name, StoreCondition condition) : ICheckpointWriter
    {
        private readonly MemoryStream _buffer = new();

        public Stream Stream => _buffer;

        public StoredCheckpoint Commit() => store.Commit(name, condition, _buffer.ToArray());

        public void Dispose() => _buffer.Dispose();
    }
}
