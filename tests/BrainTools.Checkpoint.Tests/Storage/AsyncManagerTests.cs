using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Tests.Storage;

public sealed class AsyncManagerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(AsyncSnapshot.TempFile)]
    [InlineData(AsyncSnapshot.Memory)]
    [InlineData(AsyncSnapshot.RetainedMemory)]
    public void Save_WithManager_WritesFileInBackgroundAndLoads(AsyncSnapshot snapshot)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        var weights = Enumerable.Range(0, 100_000).Select(i => (float)i).ToArray();
        using (var manager = new AsyncManager { Snapshot = snapshot })
        {
            string returned = Msgpack.Save(path, new Dictionary<string, object> { ["w"] = weights, ["step"] = 7 }, asyncManager: manager);
            Assert.Equal(path, returned);
            manager.WaitPreviousSave();
        }

        StateNode loaded = Msgpack.Load(path);
        Assert.Equal(weights, loaded["w"].AsArray().AsReadOnlySpan<float>().ToArray());
        Assert.Equal(7L, (long)loaded["step"]);
    }

    [Theory]
    [InlineData(AsyncSnapshot.TempFile)]
    [InlineData(AsyncSnapshot.Memory)]
    [InlineData(AsyncSnapshot.RetainedMemory)]
    public void Save_ModelChangedAfterReturn_FileHoldsValuesAtSaveTime(AsyncSnapshot snapshot)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        // Large enough that the background write is still running while the model changes.
        var weights = new float[16 << 20];
        Array.Fill(weights, 1f);
        var counter = new Dictionary<string, object> { ["n"] = 1 };
        var model = new Dictionary<string, object> { ["w"] = weights, ["counter"] = counter };
        using var manager = new AsyncManager { Snapshot = snapshot };

        Msgpack.Save(path, model, asyncManager: manager, options: MsgpackOptions.Default with { Durable = false });
        Array.Fill(weights, 2f);
        counter["n"] = 2;
        manager.WaitPreviousSave();

        StateNode loaded = Msgpack.Load(path);
        Assert.True(loaded["w"].AsArray().AsReadOnlySpan<float>().IndexOfAnyExcept(1f) < 0, "the file holds values written after Save returned");
        Assert.Equal(1L, (long)loaded["counter"]["n"]);
    }

    [Theory]
    [InlineData(AsyncSnapshot.TempFile)]
    [InlineData(AsyncSnapshot.Memory)]
    public void Save_StateNodeChangedAfterReturn_FileHoldsTreeAtSaveTime(AsyncSnapshot snapshot)
    {
        using var dir = new TempDirectory();
        string path = dir.File("tree.msgpack");
        var tree = new StateMap();
        // The large array comes first: the keys after it are written well after Save has returned.
        tree.Add("big", NdArray.Zeros(DType.Float32, new Shape(16L << 20)));
        tree.Add("a", 1L);
        using var manager = new AsyncManager { Snapshot = snapshot };

        Msgpack.Save(path, tree, asyncManager: manager, options: MsgpackOptions.Default with { Durable = false });
        tree.Set("a", 2L);
        tree.Add("b", 3L);
        manager.WaitPreviousSave();

        StateNode loaded = Msgpack.Load(path);
        Assert.Equal(["big", "a"], loaded.AsMap().Keys);
        Assert.Equal(1L, (long)loaded["a"]);
    }

    [Fact]
    public void Save_PreviousStillRunning_WarnsThenWaits()
    {
        using var dir = new TempDirectory();
        using var manager = new AsyncManager();
        var gate = new ManualResetEventSlim();
        bool firstFinished = false;
        _ = manager.Run(
            () => () =>
            {
                gate.Wait(Timeout);
                Volatile.Write(ref firstFinished, true);
            },
            null,
            null);
        var warnings = new ConcurrentQueue<CheckpointWarning>();
        bool finishedBeforeSecond = false;
        var options = MsgpackOptions.Default with
        {
            OnWarning = w =>
            {
                warnings.Enqueue(w);
                finishedBeforeSecond = Volatile.Read(ref firstFinished);
                gate.Set();
            },
        };

        Msgpack.Save(dir.File("b.msgpack"), new[] { 1.0 }, options: options, asyncManager: manager);

        CheckpointWarning warning = Assert.Single(warnings);
        Assert.Equal("A previous async braintools.file.msgpack_save has not finished yet; waiting for it to complete before starting the next save.", warning.Message);
        Assert.False(finishedBeforeSecond);
        Assert.True(Volatile.Read(ref firstFinished), "the second save started before the first finished");
    }

    [Fact]
    public void Save_PreviousFinished_DoesNotWarn()
    {
        using var dir = new TempDirectory();
        using var manager = new AsyncManager();
        var warnings = new ConcurrentQueue<CheckpointWarning>();
        var options = MsgpackOptions.Default with { OnWarning = warnings.Enqueue };

        Msgpack.Save(dir.File("a.msgpack"), new[] { 1.0 }, options: options, asyncManager: manager);
        manager.WaitPreviousSave();
        Msgpack.Save(dir.File("b.msgpack"), new[] { 2.0 }, options: options, asyncManager: manager);
        manager.WaitPreviousSave();

        Assert.Empty(warnings);
        Assert.True(File.Exists(dir.File("b.msgpack")));
    }

    [Fact]
    public void Save_ManySaves_RunOneAtATimeInOrder()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        var order = new ConcurrentQueue<int>();
        int running = 0;
        int overlaps = 0;
        using var manager = new AsyncManager(maxWorkers: 4);
        for (int i = 0; i < 8; i++)
        {
            int index = i;
            _ = manager.Run(
                () => () =>
                {
                    if (Interlocked.Increment(ref running) > 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    Thread.Sleep(5);
                    order.Enqueue(index);
                    Interlocked.Decrement(ref running);
                },
                MsgpackOptions.Default with { OnWarning = _ => { } },
                null);
            Msgpack.Save(path, new Dictionary<string, object> { ["i"] = index }, asyncManager: manager, options: MsgpackOptions.Default with { OnWarning = _ => { } });
        }

        manager.WaitPreviousSave();
        Assert.Equal(Enumerable.Range(0, 8), order);
        Assert.Equal(0, overlaps);
        Assert.Equal(7L, (long)Msgpack.Load(path)["i"]);
    }

    [Fact]
    public void WaitPreviousSave_BackgroundSaveFailed_RethrowsOnce()
    {
        using var dir = new TempDirectory();
        string blocker = dir.File("not-a-directory");
        File.WriteAllText(blocker, "x");
        // With memory snapshots the file is created in the background, where creating the directory fails.
        using var manager = new AsyncManager { Snapshot = AsyncSnapshot.Memory };

        // The directory cannot be created under a file: the background write fails.
        Msgpack.Save(Path.Combine(blocker, "model.msgpack"), new[] { 1.0 }, asyncManager: manager);

        Assert.ThrowsAny<IOException>(manager.WaitPreviousSave);
        manager.WaitPreviousSave();
    }

    [Fact]
    public void Save_PreviousSaveFailed_ThrowsItsError()
    {
        using var dir = new TempDirectory();
        string blocker = dir.File("not-a-directory");
        File.WriteAllText(blocker, "x");
        using var manager = new AsyncManager { Snapshot = AsyncSnapshot.Memory };
        Msgpack.Save(Path.Combine(blocker, "model.msgpack"), new[] { 1.0 }, asyncManager: manager, options: MsgpackOptions.Default with { OnWarning = _ => { } });

        Assert.ThrowsAny<IOException>(() => Msgpack.Save(dir.File("next.msgpack"), new[] { 2.0 }, asyncManager: manager, options: MsgpackOptions.Default with { OnWarning = _ => { } }));
        Msgpack.Save(dir.File("next.msgpack"), new[] { 2.0 }, asyncManager: manager);
        manager.WaitPreviousSave();
        Assert.True(File.Exists(dir.File("next.msgpack")));
    }

    [Fact]
    public void Save_TempFileSnapshotCannotCreateFile_ThrowsBeforeReturning()
    {
        using var dir = new TempDirectory();
        string blocker = dir.File("not-a-directory");
        File.WriteAllText(blocker, "x");
        using var manager = new AsyncManager { Snapshot = AsyncSnapshot.TempFile };

        Assert.ThrowsAny<IOException>(() => Msgpack.Save(Path.Combine(blocker, "model.msgpack"), new[] { 1.0 }, asyncManager: manager));
        manager.WaitPreviousSave();
    }

    [Fact]
    public void Save_MemorySnapshotOfTreeDeeperThanTheStack_ThrowsCheckpointException()
    {
        using var dir = new TempDirectory();
        StateMap root = DeepTrees.Chain(50_001);

        // The synchronous writer refuses such a tree; the snapshot copy that runs first must too, not overflow the stack.
        (_, Exception? caught) = DeepTrees.OnThread(256 * 1024, () =>
        {
            using var manager = new AsyncManager { Snapshot = AsyncSnapshot.Memory };
            return Msgpack.Save(dir.File("deep.msgpack"), root, asyncManager: manager);
        });

        Assert.IsType<CheckpointException>(caught);
    }

    [Fact]
    public void Save_OverwriteFalseAndFileExists_ThrowsBeforeReturning()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        Msgpack.Save(path, new[] { 1.0 });
        using var manager = new AsyncManager();

        Assert.Throws<CheckpointConflictException>(() => Msgpack.Save(path, new[] { 2.0 }, overwrite: false, asyncManager: manager));
    }

    [Fact]
    public void Dispose_SaveRunning_WaitsForIt()
    {
        var manager = new AsyncManager();
        StrongBox<bool> finished = StartSlowSave(manager);

        manager.Dispose();

        Assert.True(Volatile.Read(ref finished.Value));
        Assert.False(manager.IsSaving);
    }

    [Fact]
    public async Task DisposeAsync_SaveRunning_WaitsForIt()
    {
        var manager = new AsyncManager();
        StrongBox<bool> finished = StartSlowSave(manager);

        await manager.DisposeAsync();

        Assert.True(Volatile.Read(ref finished.Value));
    }

    [Fact]
    public void Dispose_TwoThreadsAtOnce_BothWaitForTheSaveAndOneSeesItsFailure()
    {
        var manager = new AsyncManager();
        var release = new ManualResetEventSlim();
        _ = manager.Run(
            () => () =>
            {
                release.Wait(Timeout);
                throw new IOException("disk full");
            },
            null,
            null);
        var errors = new Exception?[2];
        var stillSaving = new bool[2];
        Thread[] threads = [.. Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            try
            {
                manager.Dispose();
            }
            catch (Exception e)
            {
                errors[i] = e;
            }

            stillSaving[i] = manager.IsSaving;
        }))];

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        Thread.Sleep(100);
        release.Set();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal([false, false], stillSaving);
        Assert.Single(errors, e => e is IOException { Message: "disk full" });
        Assert.Single(errors, e => e is null);
    }

    [Fact]
    public void Dispose_LastSaveFailedUnobserved_Rethrows()
    {
        var manager = new AsyncManager();
        _ = manager.Run(() => () => throw new IOException("disk full"), null, null);

        IOException error = Assert.Throws<IOException>(manager.Dispose);
        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public void Save_AfterDispose_Throws()
    {
        using var dir = new TempDirectory();
        var manager = new AsyncManager();
        manager.Dispose();

        ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => Msgpack.Save(dir.File("a.msgpack"), new[] { 1.0 }, asyncManager: manager));
        Assert.StartsWith("Cannot save with a closed AsyncManager", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("a.msgpack")));
    }

    [Fact]
    public async Task SaveAsync_AfterDispose_Throws()
    {
        using var dir = new TempDirectory();
        var manager = new AsyncManager();
        await manager.DisposeAsync();

        ObjectDisposedException e = await Assert.ThrowsAsync<ObjectDisposedException>(() => Msgpack.SaveAsync(dir.File("a.msgpack"), new[] { 1.0 }, asyncManager: manager));
        Assert.StartsWith("Cannot save with a closed AsyncManager", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_RetainedMemory_ReusesBuffersAndWritesEachSaveCorrectly()
    {
        using var dir = new TempDirectory();
        var weights = new float[1 << 20];
        var model = new Dictionary<string, object> { ["w"] = weights, ["b"] = new double[3] };
        using var manager = new AsyncManager(maxWorkers: 2) { Snapshot = AsyncSnapshot.RetainedMemory };
        var saved = new List<float>();
        for (int i = 0; i < 3; i++)
        {
            Array.Fill(weights, i + 0.5f);
            Msgpack.Save(dir.File($"m{i}.msgpack"), model, asyncManager: manager);
            Array.Fill(weights, -1f);
            manager.WaitPreviousSave();
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.True(Msgpack.Load(dir.File($"m{i}.msgpack"))["w"].AsArray().AsReadOnlySpan<float>().IndexOfAnyExcept(i + 0.5f) < 0, $"save {i} holds other values");
        }

        // The pool kept the last save's copy of "w": it still holds that save's values.
        long[] kept = manager.Pool!.Rent((1 << 20) / 2);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.Cast<long, float>(kept).IndexOfAnyExcept(2.5f) < 0);
    }

    [Fact]
    public void Constructor_ZeroWorkers_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncManager(0));
    }

    [Fact]
    public async Task SaveAsync_WithManager_CompletesAfterSnapshotAndWritesInBackground()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        var weights = new double[1000];
        Array.Fill(weights, 3.0);
        await using var manager = new AsyncManager();

        await Msgpack.SaveAsync(path, new Dictionary<string, object> { ["w"] = weights }, asyncManager: manager);
        Array.Fill(weights, 4.0);
        await manager.WaitPreviousSaveAsync();

        Assert.All(Msgpack.Load(path)["w"].AsArray().AsReadOnlySpan<double>().ToArray(), v => Assert.Equal(3.0, v));
    }

    [Fact]
    public async Task SaveAsync_WithoutManager_FileExistsWhenDone()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sub/model.msgpack");

        string returned = await Msgpack.SaveAsync(path, new Dictionary<string, object> { ["x"] = 1.5 });

        Assert.Equal(path, returned);
        Assert.Equal(1.5, (double)Msgpack.Load(path)["x"]);
    }

    [Fact]
    public async Task SaveAsync_PreviousStillRunning_WarnsAndWaitsWithoutBlocking()
    {
        using var dir = new TempDirectory();
        await using var manager = new AsyncManager();
        var gate = new ManualResetEventSlim();
        _ = manager.Run(() => () => gate.Wait(Timeout), null, null);
        var warnings = new ConcurrentQueue<CheckpointWarning>();

        Task<string> save = Msgpack.SaveAsync(dir.File("a.msgpack"), new[] { 1.0 }, asyncManager: manager, options: MsgpackOptions.Default with { OnWarning = warnings.Enqueue });
        Assert.Single(warnings);
        Assert.False(save.IsCompleted);
        gate.Set();
        await save;
        await manager.WaitPreviousSaveAsync();

        Assert.True(File.Exists(dir.File("a.msgpack")));
    }

    // A background save that has started and finishes 200 ms later; the box turns true when it has.
    private static StrongBox<bool> StartSlowSave(AsyncManager manager)
    {
        var started = new ManualResetEventSlim();
        var finished = new StrongBox<bool>();
        _ = manager.Run(
            () => () =>
            {
                started.Set();
                Thread.Sleep(200);
                Volatile.Write(ref finished.Value, true);
            },
            null,
            null);
        started.Wait(Timeout);
        return finished;
    }
}
