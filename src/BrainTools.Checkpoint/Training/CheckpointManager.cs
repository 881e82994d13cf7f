using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using BrainTools.Checkpoint.Serialization;
using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

/// <summary>
/// Keeps the checkpoints of a training run in one directory, or in any <see cref="ICheckpointStore"/> (a blob
/// container prefix), as flax's <c>checkpoints</c>, orbax's <c>CheckpointManager</c> and braintools' trainer do:
/// step-numbered files (<c>checkpoint_10.msgpack</c>), retention rules (the last N, every N steps, the best K by a
/// metric), <see cref="Latest"/> and <see cref="Best"/>, restore of the latest intact checkpoint or of a given step,
/// and saves in the background through an <see cref="AsyncManager"/>.
/// </summary>
/// <remarks>
/// <para>Commit order: the step's checkpoint is written and committed (a durable rename, unless
/// <see cref="MsgpackOptions.Durable"/> is off; a blob's block list), only if nobody else committed that step since
/// this manager looked; then <c>manifest.json</c>, which lists every kept checkpoint with its step, time, metric, size,
/// XXH3-64 checksum, library version and user fields, is replaced all at once, only if it is still the version this
/// manager last read; only then do <see cref="Latest"/> move and checkpoints the rules no longer keep get deleted.
/// When two managers share a store, the one that commits second gets a <see cref="CheckpointConflictException"/>,
/// its new step is removed again, and every step the other committed is intact. A process killed at any point leaves
/// a store a new manager recovers from: it reads the manifest, adds step checkpoints the manifest does not list yet
/// (each is whole: its commit was atomic), drops entries whose checkpoint is gone, and never sees uncommitted writes
/// (temporary files, which the next save sweeps; uncommitted blocks).</para>
/// <para>The manifest is an index the files can rebuild, so a damaged one never stops a manager from opening: an
/// unreadable manifest, or an entry with a missing or wrongly typed field or a step that is not its file's, is left
/// out with a <see cref="CheckpointWarning"/> and its files are recovered from the directory (checksummed, without
/// metric); a metric or user value that JSON cannot carry back (<c>1e400</c>) is dropped alone. The next save writes
/// a whole manifest again.</para>
/// <para>Thread safety: all members may be called from any thread.</para>
/// </remarks>
public sealed partial class CheckpointManager : IDisposable, IAsyncDisposable
{
    private const string Extension = ".msgpack";

    private static readonly string LibraryVersionString = typeof(CheckpointManager).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(CheckpointManager).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    private readonly Lock _state = new();
    private readonly Lock _syncSave = new();
    private readonly AsyncManager? _asyncManager;
    private readonly MsgpackOptions _msgpack;
    private readonly Regex _fileName;
    private readonly ICheckpointStore _store;
    private readonly Dictionary<long, string> _versions = [];
    private List<CheckpointInfo> _checkpoints;
    private string? _manifestVersion;
    private volatile bool _disposed;

    /// <summary>Opens (or creates) a checkpoint directory and recovers the checkpoints already in it.</summary>
    /// <param name="directory">The directory; created when missing.</param>
    /// <param name="options">Names and retention rules; <see cref="CheckpointManagerOptions.Default"/> when null.</param>
    /// <param name="asyncManager">
    /// When given, <see cref="Save"/> copies the tree and returns, and the write, manifest update and clean-up run in the
    /// background on this manager (which the caller disposes). When null, saves are synchronous.
    /// </param>
    /// <exception cref="IOException">The directory cannot be created or read.</exception>
    public CheckpointManager(string directory, CheckpointManagerOptions? options = null, AsyncManager? asyncManager = null)
        : this(new FileCheckpointStore(directory ?? throw new ArgumentNullException(nameof(directory)), (options?.Msgpack ?? MsgpackOptions.Default).Durable), options, asyncManager)
    {
    }

    /// <summary>Opens the checkpoints of a store (a directory, a blob container prefix) and recovers the ones already in it.</summary>
    /// <param name="store">Where the checkpoints and the manifest are kept.</param>
    /// <param name="options">Names and retention rules; <see cref="CheckpointManagerOptions.Default"/> when null.</param>
    /// <param name="asyncManager">As for the directory constructor: saves in the background when given.</param>
    /// <exception cref="IOException">The store cannot be read (a backend may throw its own typed errors).</exception>
    public CheckpointManager(ICheckpointStore store, CheckpointManagerOptions? options = null, AsyncManager? asyncManager = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Options = options ?? CheckpointManagerOptions.Default;
        _msgpack = Options.Msgpack ?? MsgpackOptions.Default;
        _asyncManager = asyncManager;
        _fileName = new Regex("^" + Regex.Escape(Options.Prefix) + "([0-9]+)" + Regex.Escape(Extension) + "$", RegexOptions.CultureInvariant);
        _checkpoints = CheckpointRecovery.Recover(_store, _fileName, _msgpack, out _manifestVersion, _versions);
    }

    /// <summary>The full path of the directory, or the store's name (<see cref="ICheckpointStore.Name"/>: a prefix's URL).</summary>
    public string Directory => _store.Name;

    /// <summary>Where the checkpoints are kept.</summary>
    public ICheckpointStore Store => _store;

    /// <summary>The names and retention rules.</summary>
    public CheckpointManagerOptions Options { get; }

    /// <summary>The committed checkpoints, oldest step first (a pending background save is not listed until it is durable).</summary>
    public IReadOnlyList<CheckpointInfo> Checkpoints
    {
        get
        {
            lock (_state)
            {
                return [.. _checkpoints];
            }
        }
    }

    /// <summary>The committed checkpoint of the highest step, or null when there is none.</summary>
    public CheckpointInfo? Latest
    {
        get
        {
            lock (_state)
            {
                return _checkpoints.Count == 0 ? null : _checkpoints[^1];
            }
        }
    }

    /// <summary>The committed checkpoint with the best metric (see <see cref="CheckpointManagerOptions.BestMode"/>), or null when none has a metric.</summary>
    public CheckpointInfo? Best
    {
        get
        {
            lock (_state)
            {
                return Options.RankByMetric(_checkpoints).FirstOrDefault();
            }
        }
    }

    /// <summary>The path (or URL) of the checkpoint of <paramref name="step"/>: <c>{Directory}/{Prefix}{step}.msgpack</c>.</summary>
    public string PathFor(long step) => _store.Locate(FileNameFor(step));

    /// <summary>
    /// Saves <paramref name="tree"/> as the checkpoint of <paramref name="step"/> (replacing one of the same step), then
    /// applies the retention rules. With an <see cref="AsyncManager"/>, returns once the tree is copied.
    /// </summary>
    /// <param name="step">The training step, 0 or more.</param>
    /// <param name="tree">What to save (anything <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/> takes).</param>
    /// <param name="metric">The metric that ranks checkpoints for <see cref="CheckpointManagerOptions.KeepBest"/>; NaN and infinities count as none (recorded as null).</param>
    /// <param name="user">Fields recorded in the manifest: strings (valid UTF-16), bools and finite numbers; anything else is refused before a file is written.</param>
    /// <returns>The path of the checkpoint file.</returns>
    /// <exception cref="ArgumentException">A user field is of another kind, infinite, NaN, or a string with an unpaired surrogate.</exception>
    /// <exception cref="CheckpointException">A value cannot be saved.</exception>
    /// <exception cref="IOException">The file system failed or refused (no permission, a part of the path is a file; synchronous saves); the previous checkpoints are intact.</exception>
    /// <exception cref="CheckpointConflictException">Another manager committed to the same store since this one looked (synchronous saves); its steps are intact and this step is not saved. Open a new manager to go on from them.</exception>
    /// <exception cref="ObjectDisposedException">The manager (or its async manager) is disposed.</exception>
    public string Save(long step, object? tree, double? metric = null, IReadOnlyDictionary<string, object>? user = null)
    {
        CheckpointSaveRequest request = CreateRequest(step, tree, metric, user);
        if (_asyncManager is null)
        {
            lock (_syncSave)
            {
                SaveJob.Run(TargetFor(request), request.Root);
            }
        }
        else
        {
            _ = _asyncManager.Run(() => SaveJob.Prepare(_asyncManager, TargetFor(request), request.Root), _msgpack, request.Path);
        }

        return request.Path;
    }

    /// <summary>
    /// As <see cref="Save"/> for async code: with an <see cref="AsyncManager"/> the task completes once the tree is
    /// copied (the previous save awaited without blocking); without one, once the checkpoint is committed.
    /// </summary>
    /// <returns>The path of the checkpoint file.</returns>
    public async Task<string> SaveAsync(long step, object? tree, double? metric = null, IReadOnlyDictionary<string, object>? user = null, CancellationToken cancellationToken = default)
    {
        CheckpointSaveRequest request = CreateRequest(step, tree, metric, user);
        if (_asyncManager is null)
        {
            await Task.Run(
                () =>
                {
                    lock (_syncSave)
                    {
                        SaveJob.Run(TargetFor(request), request.Root);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _asyncManager.RunAsync(() => SaveJob.Prepare(_asyncManager, TargetFor(request), request.Root), _msgpack, request.Path, cancellationToken).ConfigureAwait(false);
        }

        return request.Path;
    }

    /// <summary>Blocks until a pending background save is committed.</summary>
    /// <exception cref="Exception">The background save failed: its exception is rethrown once.</exception>
    public void Wait() => _asyncManager?.WaitPreviousSave();

    /// <summary>Waits without blocking until a pending background save is committed.</summary>
    /// <exception cref="Exception">The background save failed: its exception is rethrown once.</exception>
    public Task WaitAsync() => _asyncManager?.WaitPreviousSaveAsync() ?? Task.CompletedTask;

    /// <summary>Waits for a pending save; the async manager itself stays open (its owner disposes it). Idempotent.</summary>
    /// <exception cref="Exception">The pending save failed and nobody has seen it yet.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Wait();
    }

    /// <summary>As <see cref="Dispose"/>, without blocking a thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await WaitAsync().ConfigureAwait(false);
    }

    private string FileNameFor(long step) => Options.Prefix + step.ToString(CultureInfo.InvariantCulture) + Extension;

    private CheckpointSaveRequest CreateRequest(long step, object? tree, double? metric, IReadOnlyDictionary<string, object>? user)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        if (user is not null)
        {
            foreach (KeyValuePair<string, object> field in user)
            {
                fields[field.Key] = CheckpointManifest.NormalizeUserValue(field.Key, field.Value);
            }
        }

        return new CheckpointSaveRequest(
            step,
            FileNameFor(step),
            PathFor(step),
            DateTimeOffset.UtcNow,
            metric is double m && double.IsFinite(m) ? m : null,
            fields,
            StateDictConverters.ToStateDict(tree));
    }

    private CheckpointSaveTarget TargetFor(CheckpointSaveRequest request) => new(request, _msgpack, LibraryVersionString, () => BeginStep(request.Step), Commit);

    // A step replaces only the version of it this manager knows; a new step, only nothing.
    private ICheckpointWriter BeginStep(long step)
    {
        StoreCondition condition;
        lock (_state)
        {
            condition = _versions.TryGetValue(step, out string? version) ? StoreCondition.IfVersion(version) : StoreCondition.IfAbsent;
        }

        return _store.BeginWrite(FileNameFor(step), condition);
    }

    // Commits the step, then the manifest, then deletes what the rules drop.
    private void Commit(ICheckpointWriter writer, CheckpointInfo info)
    {
        List<CheckpointInfo> keep;
        List<CheckpointInfo> drop;
        lock (_state)
        {
            List<CheckpointInfo> all = [.. _checkpoints.Where(c => c.Step != info.Step), info];
            all.Sort((a, b) => a.Step.CompareTo(b.Step));
            IReadOnlySet<long> kept = Options.StepsToKeep(all, info.Step);
            keep = [.. all.Where(c => kept.Contains(c.Step))];
            drop = [.. all.Where(c => !kept.Contains(c.Step))];
        }

        // The manifest is made before the step is committed, so a value it cannot hold fails the save while the
        // store is as it was; and it is committed before anything it no longer lists is deleted.
        byte[] manifest = CheckpointManifest.Serialize(keep);
        bool newStep;
        string? manifestVersion;
        lock (_state)
        {
            newStep = !_versions.ContainsKey(info.Step);
            manifestVersion = _manifestVersion;
        }

        StoredCheckpoint step;
        try
        {
            step = writer.Commit();
        }
        catch (CheckpointConflictException e)
        {
            throw new CheckpointConflictException(
                $"Another checkpoint manager committed step {info.Step} to {Directory} since this one looked: it is kept as that manager wrote it, and this save is not. Open a new manager to go on from its steps.",
                info.Path,
                e);
        }
        string manifestWritten;
        try
        {
            manifestWritten = CheckpointManifest.Write(_store, manifest, manifestVersion);
        }
        catch (CheckpointConflictException e)
        {
            // Another manager's manifest won: this step is not listed, so it goes (a replaced step stays replaced).
            if (newStep)
            {
                TryDelete(info.File);
            }

            throw new CheckpointConflictException(
                $"Another checkpoint manager committed to {Directory} since this one read its manifest: step {info.Step} is not saved, and the other manager's steps are intact. Open a new manager to go on from them.",
                _store.Locate(CheckpointManifest.FileName),
                e);
        }

        lock (_state)
        {
            _checkpoints = keep;
            _manifestVersion = manifestWritten;
            _versions[info.Step] = step.Version;
            foreach (CheckpointInfo old in drop)
            {
                _versions.Remove(old.Step);
            }
        }

        foreach (CheckpointInfo old in drop)
        {
            TryDelete(old.File);
        }

        if (_store is FileCheckpointStore files && writer is FileCheckpointWriter written)
        {
            files.SweepAbandoned(Options.Prefix + "*" + Extension, written.Started);
        }
    }

    // Retention and clean-up never fail a save that is committed: what cannot be deleted now stays listed nowhere.
    private void TryDelete(string name)
    {
        try
        {
            _store.Delete(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException)
        {
            // A store's own typed failure (a blob service's) counts as one too.
        }
    }
}
