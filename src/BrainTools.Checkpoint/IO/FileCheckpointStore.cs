using System.Globalization;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint;

/// <summary>
/// A local directory of checkpoints: writes go to a unique temporary file beside the target, renamed over it at the
/// commit (flushed to disk first, and the directory after, when durable), so a reader sees the old or the new file
/// and a killed save leaves only a temporary file, which a later commit sweeps. The store of
/// <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/> and of a
/// <see cref="CheckpointManager"/> made with a directory.
/// </summary>
/// <remarks>
/// A file's version is its length and last write time. A local file system has no conditional rename: the condition
/// is checked just before the rename, which tells two managers apart unless they commit the same name within
/// moments of each other.
/// </remarks>
public sealed class FileCheckpointStore : ICheckpointStore
{
    private readonly bool _durable;

    /// <summary>Opens (and creates, when missing) the directory <paramref name="directory"/>.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="durable">Whether commits flush the file and the directory to disk (<see cref="MsgpackOptions.Durable"/>).</param>
    /// <exception cref="IOException">The directory cannot be created (a part of its path is a file, no permission).</exception>
    public FileCheckpointStore(string directory, bool durable = true)
        : this(Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory))), durable, create: true)
    {
    }

    /// <summary>A store of the directory <paramref name="fullPath"/>, created now when <paramref name="create"/> (else by the first write).</summary>
    private FileCheckpointStore(string fullPath, bool durable, bool create)
    {
        Name = fullPath;
        _durable = durable;
        if (create)
        {
            AtomicFile.CreateDirectory(Name);
        }
    }

    /// <summary>The full path of the directory.</summary>
    public string Name { get; }

    /// <summary>The store of the directory a file is in or goes in, made when the first write begins (its errors then name the file).</summary>
    internal static FileCheckpointStore ForFile(string fullPath, bool durable) => new(Path.GetDirectoryName(fullPath)!, durable, create: false);

    /// <inheritdoc/>
    public string Locate(string name) => Path.Combine(Name, name);

    /// <inheritdoc/>
    public IReadOnlyList<StoredCheckpoint> List()
    {
        var found = new List<StoredCheckpoint>();
        foreach (string path in Directory.GetFiles(Name))
        {
            if (!Path.GetFileName(path).Contains(AtomicFile.TempInfix, StringComparison.Ordinal) && Describe(path) is { } stored)
            {
                found.Add(stored);
            }
        }

        return found;
    }

    /// <inheritdoc/>
    public StoredCheckpoint? Find(string name) => Describe(Locate(name));

    /// <inheritdoc/>
    public ICheckpointSource OpenRead(string name) => new FileCheckpointSource(Locate(name));

    /// <inheritdoc/>
    /// <exception cref="CheckpointConflictException">Under <see cref="StoreCondition.IfAbsent"/>, the file exists.</exception>
    public ICheckpointWriter BeginWrite(string name, StoreCondition condition)
    {
        string path = Locate(name);
        PendingFile file = AtomicFile.Begin(path, overwrite: condition.Kind != StoreConditionKind.IfAbsent);
        return new FileCheckpointWriter(this, name, file, condition, _durable);
    }

    /// <inheritdoc/>
    public void Delete(string name)
    {
        try
        {
            File.Delete(Locate(name));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot delete {Locate(name)}: no permission.", e);
        }
    }

    /// <summary>
    /// Deletes the temporary files of killed writes of names matching <paramref name="pattern"/> (a file-system
    /// pattern), older than <paramref name="olderThanUtc"/>: a manager's steps are each written once, so their
    /// leftovers are not swept by a later write of the same name. Never throws.
    /// </summary>
    internal void SweepAbandoned(string pattern, DateTime olderThanUtc) => AtomicFile.SweepStale(Name, pattern + AtomicFile.TempInfix + "*", olderThanUtc);

    /// <summary>A file's description; its version is its length and last-write time, which any rewrite changes.</summary>
    internal static StoredCheckpoint Describe(string name, FileStamp stamp) =>
        new(name, stamp.Length, new DateTimeOffset(stamp.LastWriteTimeUtc, TimeSpan.Zero), stamp.Length.ToString(CultureInfo.InvariantCulture) + "-" + stamp.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture));

    private static StoredCheckpoint? Describe(string path)
    {
        var info = new FileInfo(path);
        try
        {
            return info.Exists ? Describe(info.Name, new FileStamp(info.Length, info.LastWriteTimeUtc)) : null;
        }
        catch (IOException)
        {
            return null; // Deleted as we looked.
        }
    }
}
