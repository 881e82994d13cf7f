namespace BrainTools.Checkpoint.Tests.Sources;

/// <summary>
/// Saves and checkpoint managers on a store that is not a directory (<see cref="MemoryCheckpointStore"/>, committed as
/// object storage commits) and on a directory (<see cref="FileCheckpointStore"/>): the commit rules hold for both.
/// </summary>
public class CheckpointStoreTests
{
    private static readonly CheckpointManagerOptions KeepTwo = CheckpointManagerOptions.Default with { KeepLast = 2 };

    [Fact]
    public void Save_ToStore_LoadsBackTheSameTree()
    {
        var store = new MemoryCheckpointStore();
        var tree = new Dictionary<string, object> { ["w"] = new float[] { 1, 2, 3 }, ["step"] = 5L };

        string location = Msgpack.Save(store, "model.msgpack", tree);

        using ICheckpointSource source = store.OpenRead("model.msgpack");
        TreeAssert.Equal(Msgpack.ToStateDict(tree), Msgpack.Load(source));
        Assert.Equal("memory://run/model.msgpack", location);
        Assert.Equal(Msgpack.Serialize(tree), ReadAll(store, "model.msgpack"));
    }

    [Fact]
    public void Save_OverwriteFalseOnAnExistingObject_ConflictAndTheObjectIsKept()
    {
        var store = new MemoryCheckpointStore();
        Msgpack.Save(store, "model.msgpack", new Dictionary<string, object> { ["a"] = 1L });
        byte[] before = ReadAll(store, "model.msgpack");

        var error = Assert.Throws<CheckpointConflictException>(() => Msgpack.Save(store, "model.msgpack", new Dictionary<string, object> { ["a"] = 2L }, overwrite: false));

        Assert.Equal("memory://run/model.msgpack", error.FilePath);
        Assert.Equal(before, ReadAll(store, "model.msgpack"));
    }

    [Fact]
    public void SafetensorsAndNpzSave_ToStore_TheBytesOfAFileSave()
    {
        var store = new MemoryCheckpointStore();
        using var dir = new TempDirectory();
        var tree = new StateMap { { "w", NdArray.FromArray(new float[] { 1, 2, 3 }) }, { "b", NdArray.FromArray(new double[] { 0.5 }) } };

        Safetensors.Save(store, "m.safetensors", tree);
        Safetensors.Save(dir.File("m.safetensors"), tree);
        Npz.Save(store, "m.npz", tree);

        Assert.Equal(File.ReadAllBytes(dir.File("m.safetensors")), ReadAll(store, "m.safetensors"));
        File.WriteAllBytes(dir.File("from-store.npz"), ReadAll(store, "m.npz"));
        TreeAssert.Equal(tree, Npz.Load(dir.File("from-store.npz")));
        Assert.Throws<CheckpointConflictException>(() => Npz.Save(store, "m.npz", tree, overwrite: false));
    }

    [Fact]
    public void Save_ValueThatCannotBeSaved_CommitsNothing()
    {
        var store = new MemoryCheckpointStore();
        Msgpack.Save(store, "model.msgpack", new Dictionary<string, object> { ["a"] = 1L });
        byte[] before = ReadAll(store, "model.msgpack");

        Assert.ThrowsAny<CheckpointException>(() => Msgpack.Save(store, "model.msgpack", new Dictionary<string, object> { ["a"] = 2L, ["b"] = new object() }));

        Assert.Equal(before, ReadAll(store, "model.msgpack"));
        Assert.Equal(1, store.Commits);
    }

    [Fact]
    public void Save_ToStoreThroughAsyncManager_CommitsInTheBackground()
    {
        var store = new MemoryCheckpointStore();
        var weights = new float[] { 1, 2 };
        using (var manager = new AsyncManager())
        {
            Msgpack.Save(store, "model.msgpack", new Dictionary<string, object> { ["w"] = weights }, asyncManager: manager);
            weights[0] = 100; // After the call: not in the checkpoint.
            manager.WaitPreviousSave();
        }

        using ICheckpointSource source = store.OpenRead("model.msgpack");
        Assert.Equal(new float[] { 1, 2 }, ((NdArray)((StateValue)((StateMap)Msgpack.Load(source))["w"]).Value!).ToArray<float>());
    }

    [Fact]
    public void Manager_OnAStore_KeepsLatestBestAndRestores()
    {
        var store = new MemoryCheckpointStore();
        var options = KeepTwo with { KeepBest = 1 };
        using (var manager = new CheckpointManager(store, options))
        {
            for (long step = 1; step <= 4; step++)
            {
                manager.Save(step, new Dictionary<string, object> { ["w"] = new[] { (float)step } }, metric: step == 2 ? 0.1 : 1.0);
            }

            Assert.Equal([2L, 3L, 4L], manager.Checkpoints.Select(c => c.Step));
            Assert.Equal(2, manager.Best?.Step);
            Assert.Equal("memory://run/checkpoint_4.msgpack", manager.Latest?.Path);
        }

        Assert.Equal(["checkpoint_2.msgpack", "checkpoint_3.msgpack", "checkpoint_4.msgpack", "manifest.json"], store.List().Select(o => o.Name).Order(StringComparer.Ordinal));
        using var reopened = new CheckpointManager(store, options);
        Assert.Equal([2L, 3L, 4L], reopened.Checkpoints.Select(c => c.Step));
        Assert.Equal(0.1, reopened.Best?.Metric);
        var target = new Dictionary<string, object> { ["w"] = new float[1] };
        var restored = reopened.RestoreInto(target);
        Assert.Equal(new[] { 4f }, (float[])restored["w"]);
    }

    [Fact]
    public void Manager_TwoOnOneStore_TheSecondToCommitGetsAConflictAndNoCommittedStepIsLost()
    {
        var store = new MemoryCheckpointStore();
        using var first = new CheckpointManager(store, KeepTwo);
        using var second = new CheckpointManager(store, KeepTwo);
        first.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });

        var error = Assert.Throws<CheckpointConflictException>(() => second.Save(2, new Dictionary<string, object> { ["w"] = new[] { 2f } }));

        Assert.Equal("memory://run/manifest.json", error.FilePath);
        Assert.Contains("step 2 is not saved", error.Message, StringComparison.Ordinal);
        Assert.Null(store.Find("checkpoint_2.msgpack")); // Not listed by any manifest: removed again.
        using var third = new CheckpointManager(store, KeepTwo);
        Assert.Equal([1L], third.Checkpoints.Select(c => c.Step));
        Assert.Equal(new[] { 1f }, ((NdArray)((StateValue)((StateMap)third.Restore())["w"]).Value!).ToArray<float>());
    }

    [Fact]
    public void Manager_TwoSaveTheSameNewStep_TheSecondCannotReplaceTheFirstsCheckpoint()
    {
        var store = new MemoryCheckpointStore();
        using var first = new CheckpointManager(store, KeepTwo);
        using var second = new CheckpointManager(store, KeepTwo);
        first.Save(7, new Dictionary<string, object> { ["w"] = new[] { 1f } });
        byte[] committed = ReadAll(store, "checkpoint_7.msgpack");

        var error = Assert.Throws<CheckpointConflictException>(() => second.Save(7, new Dictionary<string, object> { ["w"] = new[] { 2f } }));

        Assert.Equal("memory://run/checkpoint_7.msgpack", error.FilePath);
        Assert.Equal(committed, ReadAll(store, "checkpoint_7.msgpack"));
        using var third = new CheckpointManager(store, KeepTwo with { VerifyChecksum = true });
        Assert.Equal(new[] { 1f }, ((NdArray)((StateValue)((StateMap)third.Restore(7))["w"]).Value!).ToArray<float>());
    }

    [Fact]
    public void Manager_CrashBetweenTheStepAndTheManifest_NextManagerRecoversTheWholeStep()
    {
        var store = new MemoryCheckpointStore();
        using (var manager = new CheckpointManager(store, KeepTwo))
        {
            manager.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });
            store.FailCommitsOf.Add("manifest.json");

            Assert.Throws<IOException>(() => manager.Save(2, new Dictionary<string, object> { ["w"] = new[] { 2f } }));
        }

        store.FailCommitsOf.Clear();
        using var recovered = new CheckpointManager(store, KeepTwo);
        Assert.Equal([1L, 2L], recovered.Checkpoints.Select(c => c.Step));
        Assert.StartsWith("xxh3-64:", recovered.Latest!.Checksum, StringComparison.Ordinal);
        recovered.Save(3, new Dictionary<string, object> { ["w"] = new[] { 3f } });
        Assert.Equal([2L, 3L], recovered.Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void Manager_StepDamagedInTheStore_RestoreFallsBackNamingItsLocation()
    {
        var store = new MemoryCheckpointStore();
        var warnings = new List<CheckpointWarning>();
        var options = KeepTwo with { Msgpack = MsgpackOptions.Default with { OnWarning = warnings.Add } };
        using var manager = new CheckpointManager(store, options);
        manager.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });
        manager.Save(2, new Dictionary<string, object> { ["w"] = new[] { 2f } });
        store.Damage("checkpoint_2.msgpack", bytes => { bytes[^1] ^= 0xFF; return bytes; });

        StateNode restored = manager.Restore(null, out CheckpointInfo from);

        Assert.Equal(1, from.Step);
        Assert.Contains(warnings, w => w.FilePath == "memory://run/checkpoint_2.msgpack" && w.Message.Contains("checksum", StringComparison.Ordinal));
        Assert.Equal(new[] { 1f }, ((NdArray)((StateValue)((StateMap)restored)["w"]).Value!).ToArray<float>());
    }

    [Fact]
    public void Restore_VerifiedChecksum_ReadsTheCheckpointOnce()
    {
        var store = new MemoryCheckpointStore();
        using var manager = new CheckpointManager(store, KeepTwo with { VerifyChecksum = true });
        manager.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });
        int before = store.OpenReads;

        manager.Restore(1);

        Assert.Equal(before + 1, store.OpenReads); // Hashed in memory after the one read, not read again to hash it.
    }

    [Fact]
    public void Restore_StepReplacedBehindTheManagersBack_RefusedByTheChecksumInMemory()
    {
        var store = new MemoryCheckpointStore();
        using var manager = new CheckpointManager(store, KeepTwo);
        manager.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });
        store.Damage("checkpoint_1.msgpack", _ => Msgpack.Serialize(new Dictionary<string, object> { ["w"] = new[] { 9f } }));

        var error = Assert.Throws<InvalidCheckpointException>(() => manager.Restore(1));

        Assert.StartsWith("its checksum is xxh3-64:", error.Reason, StringComparison.Ordinal);
        Assert.Equal("memory://run/checkpoint_1.msgpack", error.FilePath);
    }

    [Fact]
    public void Manager_TwoOnOneDirectory_TheSecondToCommitGetsAConflict()
    {
        using var dir = new TempDirectory();
        using var first = new CheckpointManager(dir.Path, KeepTwo);
        using var second = new CheckpointManager(dir.Path, KeepTwo);
        first.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });

        Assert.Throws<CheckpointConflictException>(() => second.Save(2, new Dictionary<string, object> { ["w"] = new[] { 2f } }));

        Assert.False(File.Exists(dir.File("checkpoint_2.msgpack")));
        using var third = new CheckpointManager(dir.Path, KeepTwo);
        Assert.Equal([1L], third.Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void Manager_ConflictInABackgroundSave_SurfacesAtTheNextWait()
    {
        var store = new MemoryCheckpointStore();
        using var asyncManager = new AsyncManager();
        using var first = new CheckpointManager(store, KeepTwo);
        var second = new CheckpointManager(store, KeepTwo, asyncManager);
        first.Save(1, new Dictionary<string, object> { ["w"] = new[] { 1f } });

        second.Save(2, new Dictionary<string, object> { ["w"] = new[] { 2f } });

        Assert.Throws<CheckpointConflictException>(second.Wait);
        Assert.Equal([1L], new CheckpointManager(store, KeepTwo).Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void FileStore_WriteAbandoned_LeavesNothingAndTheOldFile()
    {
        using var dir = new TempDirectory();
        var store = new FileCheckpointStore(dir.Path, durable: false);
        Msgpack.Save(store, "a.msgpack", new Dictionary<string, object> { ["x"] = 1L });
        byte[] before = File.ReadAllBytes(dir.File("a.msgpack"));

        using (ICheckpointWriter writer = store.BeginWrite("a.msgpack", StoreCondition.None))
        {
            writer.Stream.Write([1, 2, 3]);
        }

        Assert.Equal(before, File.ReadAllBytes(dir.File("a.msgpack")));
        Assert.Equal(["a.msgpack"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(["a.msgpack"], store.List().Select(o => o.Name));
    }

    [Fact]
    public void FileStore_IfVersionAfterAnotherCommit_Conflict()
    {
        using var dir = new TempDirectory();
        var store = new FileCheckpointStore(dir.Path, durable: false);
        Msgpack.Save(store, "a.msgpack", new Dictionary<string, object> { ["x"] = 1L });
        string seen = store.Find("a.msgpack")!.Version;
        Msgpack.Save(store, "a.msgpack", new Dictionary<string, object> { ["x"] = 22L });

        using ICheckpointWriter writer = store.BeginWrite("a.msgpack", StoreCondition.IfVersion(seen));
        writer.Stream.Write(Msgpack.Serialize(new Dictionary<string, object> { ["x"] = 3L }));

        Assert.Throws<CheckpointConflictException>(() => writer.Commit());
        Assert.Equal(22L, ((StateValue)((StateMap)Msgpack.Load(dir.File("a.msgpack")))["x"]).Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FileStore_Commit_DescribesTheCommittedFileAsFindDoes_AndItsVersionCommitsIfVersion(bool durable)
    {
        using var dir = new TempDirectory();
        var store = new FileCheckpointStore(dir.Path, durable);
        StoredCheckpoint committed;
        using (ICheckpointWriter writer = store.BeginWrite("a.msgpack", StoreCondition.None))
        {
            writer.Stream.Write(Msgpack.Serialize(new Dictionary<string, object> { ["x"] = 1L }));
            committed = writer.Commit();
        }

        Assert.Equal(store.Find("a.msgpack"), committed);
        Assert.Equal(new FileInfo(dir.File("a.msgpack")).Length, committed.Length);

        using (ICheckpointWriter writer = store.BeginWrite("a.msgpack", StoreCondition.IfVersion(committed.Version)))
        {
            writer.Stream.Write(Msgpack.Serialize(new Dictionary<string, object> { ["x"] = 2L }));
            StoredCheckpoint second = writer.Commit();
            Assert.Equal(store.Find("a.msgpack"), second);
        }

        Assert.Equal(2L, ((StateValue)((StateMap)Msgpack.Load(dir.File("a.msgpack")))["x"]).Value);
    }

    private static byte[] ReadAll(ICheckpointStore store, string name)
    {
        using ICheckpointSource source = store.OpenRead(name);
        var bytes = new byte[source.Length];
        source.ReadAt(0, bytes);
        return bytes;
    }
}
