using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Serialization;
using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

/// <summary>
/// Keeps the checkpoints of a training run in one directory, as flax's <c>checkpoints</c>, orbax's
/// <c>CheckpointManager</c> and braintools' trainer do: step-numbered files (<c>checkpoint_10.msgpack</c>), retention
/// rules (the last N, every N steps, the best K by a metric), <see cref="Latest"/> and <see cref="Best"/>, restore of the
/// latest intact checkpoint or of a given step, and saves in the background through an <see cref="AsyncManager"/>.
/// </summary>
/// <remarks>
/// <para>Commit order: the checkpoint file is written (durably, unless <see cref="MsgpackOptions.Durable"/> is off)
/// and renamed into place; then <c>manifest.json</c>, which lists every kept checkpoint with its step, time, metric,
/// size, XXH3-64 checksum, library version and user fields, is replaced atomically; only then do <see cref="Latest"/>
/// move and files the rules no longer keep get deleted. A process killed at any point leaves a directory a new manager
/// recovers from: it reads the manifest, adds checkpoint files the manifest does not list yet, drops entries whose file
/// is gone, and ignores the temporary files of the killed save (the next save sweeps them).</para>
/// <para>The manifest is an index the files can rebuild, so a damaged one never stops a manager from opening: an
/// unreadable manifest, or an entry with a missing or wrongly typed field or a step that is not its file's, is left
/// out with a <see cref="CheckpointWarning"/> and its files are recovered from the directory (checksummed, without
/// metric); a metric or user value that JSON cannot carry back (<c>1e400</c>) is dropped alone. The next save writes
/// a whole manifest again.</para>
/// <para>Thread safety: all members may be called from any thread. One manager per directory: two managers (or
/// processes) saving into the same directory overwrite each other's manifest.</para>
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
    private List<CheckpointInfo> _checkpoints;
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
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        Options = options ?? CheckpointManagerOptions.Default;
        _msgpack = Options.Msgpack ?? MsgpackOptions.Default;
        _asyncManager = asyncManager;
        _fileName = new Regex("^" + Regex.Escape(Options.Prefix) + "([0-9]+)" + Regex.Escape(Extension) + "$", RegexOptions.CultureInvariant);
        AtomicFile.CreateDirectory(Directory);
        _checkpoints = Recover();
    }

    /// <summary>The full path of the directory.</summary>
    public string Directory { get; }

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

    /// <summary>The path of the file of <paramref name="step"/>: <c>{Directory}/{Prefix}{step}.msgpack</c>.</summary>
    public string PathFor(long step) => Path.Combine(Directory, FileNameFor(step));

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

    private CheckpointSaveTarget TargetFor(CheckpointSaveRequest request) => new(request, _msgpack, LibraryVersionString, Commit);

    // Makes the checkpoint durable and renames it into place, then the manifest, then deletes what the rules drop.
    private void Commit(PendingFile file, CheckpointInfo info)
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

        // The manifest is made before the checkpoint is renamed into place, so a value it cannot hold fails the save
        // while the directory is as it was; and it is durable before anything it no longer lists is deleted.
        byte[] manifest;
        try
        {
            manifest = CheckpointManifest.Serialize(keep);
        }
        catch
        {
            AtomicFile.Abort(file);
            throw;
        }

        AtomicFile.Commit(file, overwrite: true, _msgpack.Durable);
        CheckpointManifest.Write(Directory, manifest, _msgpack.Durable);
        lock (_state)
        {
            _checkpoints = keep;
        }

        foreach (CheckpointInfo old in drop)
        {
            TryDelete(old.Path);
        }

        AtomicFile.SweepStale(Directory, Options.Prefix + "*" + Extension + AtomicFile.TempInfix + "*", file.Started);
    }

    private List<CheckpointInfo> Recover() => CheckpointRecovery.Recover(Directory, _fileName, Options.Prefix + "*" + Extension, _msgpack);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
