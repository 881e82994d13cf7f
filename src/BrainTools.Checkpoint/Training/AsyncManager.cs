using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

/// <summary>
/// Runs checkpoint writes in the background, as braintools' <c>AsyncManager</c>: a save takes a snapshot of the tree
/// (so the model may change as soon as <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/>
/// returns) and finishes the file on a background thread. Saves run one after another in the order they were made:
/// a new save first waits for the previous one, with a warning if that one was still running.
/// </summary>
/// <remarks>
/// <para>Snapshot: by default (<see cref="AsyncSnapshot.TempFile"/>) the save writes the temporary file before it
/// returns and the background only flushes it to disk and renames it, so no extra memory is held; with
/// <see cref="AsyncSnapshot.Memory"/> the arrays are copied and each copy is let go of as soon as it is written;
/// <see cref="AsyncSnapshot.RetainedMemory"/> keeps the copy's memory for the next save.</para>
/// <para>Errors: a background save that fails is rethrown by the next <see cref="WaitPreviousSave"/>, save or
/// <see cref="Dispose"/>, once.</para>
/// <para>Thread safety: all members may be called from any thread; concurrent saves are serialized.</para>
/// </remarks>
public sealed class AsyncManager : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// The warning a save gives when it has to wait for a previous save that is still running: braintools' text word for
    /// word, so that a Python user finds it. Waiting for a save that has already finished is silent.
    /// </summary>
    public const string PreviousSaveRunningWarning =
        "A previous async braintools.file.msgpack_save has not finished yet; waiting for it to complete before starting the next save.";

    /// <summary>The message of the <see cref="ObjectDisposedException"/> a save through a disposed manager throws (braintools' sentence first).</summary>
    public const string ClosedMessage = "Cannot save with a closed AsyncManager: it was disposed; create a new AsyncManager for further saves.";

    // Serializes the "wait for the previous save, copy, start" sequence of concurrent callers; async-friendly.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task? _previous;
    private SnapshotBufferPool? _pool;
    private volatile bool _disposed;

    /// <summary>Creates a manager.</summary>
    /// <param name="maxWorkers">
    /// How many threads copy a tree's arrays when a save is made under <see cref="AsyncSnapshot.Memory"/> snapshots (the
    /// part that blocks the caller). Saves themselves always run one at a time, in order.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public AsyncManager(int maxWorkers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        MaxWorkers = maxWorkers;
    }

    /// <summary>The number of threads that copy a tree when a save is made.</summary>
    public int MaxWorkers { get; }

    /// <summary>
    /// How a save takes its snapshot (default <see cref="AsyncSnapshot.TempFile"/>: no extra memory). Pick
    /// <see cref="AsyncSnapshot.RetainedMemory"/> for the shortest block when memory allows one extra copy of the model.
    /// </summary>
    public AsyncSnapshot Snapshot
    {
        get;
        init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Not an AsyncSnapshot.");
            }

            field = value;
            _pool = value == AsyncSnapshot.RetainedMemory ? new SnapshotBufferPool() : null;
        }
    }

    /// <summary>The pool of copy buffers under <see cref="AsyncSnapshot.RetainedMemory"/>.</summary>
    internal SnapshotBufferPool? Pool => _pool;

    /// <summary>Whether a background save is still running.</summary>
    public bool IsSaving => Volatile.Read(ref _previous) is { IsCompleted: false };

    /// <summary>Blocks until the previous save has finished.</summary>
    /// <exception cref="Exception">The previous save failed: its exception is rethrown (once; later waits return normally).</exception>
    public void WaitPreviousSave()
    {
        Task? previous = Volatile.Read(ref _previous);
        if (previous is null)
        {
            return;
        }

        try
        {
            previous.GetAwaiter().GetResult();
        }
        catch when (Interlocked.CompareExchange(ref _previous, null, previous) == previous)
        {
            // Rethrow a failure once, to the one waiter that clears it (of several threads waiting at once, the
            // others return): the next save must not fail again for it.
            throw;
        }
        catch
        {
        }
    }

    /// <summary>Waits without blocking until the previous save has finished.</summary>
    /// <exception cref="Exception">The previous save failed: its exception is rethrown (once).</exception>
    public async Task WaitPreviousSaveAsync()
    {
        Task? previous = Volatile.Read(ref _previous);
        if (previous is null)
        {
            return;
        }

        try
        {
            await previous.ConfigureAwait(false);
        }
        catch when (Interlocked.CompareExchange(ref _previous, null, previous) == previous)
        {
            throw;
        }
        catch
        {
        }
    }

    /// <summary>
    /// Waits for the pending save and stops accepting new ones. Idempotent, and safe from several threads at once:
    /// each call returns only once the last save has ended.
    /// </summary>
    /// <exception cref="Exception">The last save failed and nobody has seen it yet: its exception is rethrown (to one caller), as braintools' <c>close</c> does.</exception>
    public void Dispose()
    {
        _disposed = true;
        _gate.Wait();
        try
        {
            WaitPreviousSave();
        }
        finally
        {
            _pool?.TrimUnused();
            _gate.Release();
        }
    }

    /// <summary>As <see cref="Dispose"/>, without blocking a thread.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await WaitPreviousSaveAsync().ConfigureAwait(false);
        }
        finally
        {
            _pool?.TrimUnused();
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits for the previous save (warning if it was running), runs <paramref name="prepare"/> on the caller's thread
    /// (it copies the tree and returns the write), and starts the write in the background.
    /// </summary>
    /// <returns>The background write.</returns>
    /// <exception cref="ObjectDisposedException">The manager is disposed.</exception>
    internal Task Run(Func<Action> prepare, MsgpackOptions? options, string? path)
    {
        ThrowIfClosed();
        _gate.Wait();
        try
        {
            ThrowIfClosed();
            WarnIfRunning(options, path);
            WaitPreviousSave();
            return Start(prepare());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>As <see cref="Run"/>, waiting for the previous save without blocking.</summary>
    /// <returns>The background write, once it has started.</returns>
    internal async Task<Task> RunAsync(Func<Action> prepare, MsgpackOptions? options, string? path, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            WarnIfRunning(options, path);
            await WaitPreviousSaveAsync().ConfigureAwait(false);
            return Start(prepare());
        }
        finally
        {
            _gate.Release();
        }
    }

    // braintools raises RuntimeError("Cannot save with a closed AsyncManager"); .NET's type for this is ObjectDisposedException.
    private void ThrowIfClosed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(AsyncManager), ClosedMessage);
        }
    }

    private void WarnIfRunning(MsgpackOptions? options, string? path)
    {
        if (IsSaving)
        {
            WarningSink.Deliver(new CheckpointWarning(PreviousSaveRunningWarning, FilePath: path), options);
        }
    }

    private Task Start(Action write)
    {
        // A dedicated thread: the write blocks on I/O for seconds and must not starve the thread pool.
        Task task = Task.Factory.StartNew(write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Volatile.Write(ref _previous, task);
        return task;
    }
}
