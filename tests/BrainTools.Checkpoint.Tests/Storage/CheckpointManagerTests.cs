using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;

namespace BrainTools.Checkpoint.Tests.Storage;

public sealed class CheckpointManagerTests
{
    private static readonly CheckpointManagerOptions TrainingOptions = new() { KeepLast = 3, KeepEvery = 25, KeepBest = 2, BestMode = MetricMode.Min };

    [Theory]
    [InlineData(null)]
    [InlineData(AsyncSnapshot.TempFile)]
    [InlineData(AsyncSnapshot.Memory)]
    public void Save_100StepLoopKeepLast3Every25Best2_LeavesExactlyTheRightFiles(AsyncSnapshot? background)
    {
        using var dir = new TempDirectory();
        using (var async = background is AsyncSnapshot snapshot ? new AsyncManager { Snapshot = snapshot } : null)
        using (var manager = new CheckpointManager(dir.Path, TrainingOptions with { Msgpack = MsgpackOptions.Default with { OnWarning = _ => { } } }, async))
        {
            for (long step = 1; step <= 100; step++)
            {
                manager.Save(step, Model(step), metric: Loss(step), user: new Dictionary<string, object> { ["epoch"] = step / 10 });
            }

            manager.Wait();
            Assert.Equal(100, manager.Latest!.Step);
            Assert.Equal(BestSteps(100, 1).Single(), manager.Best!.Step);
        }

        long[] expected = ExpectedSteps(100);
        Assert.Equal(
            expected.Select(s => $"checkpoint_{s}.msgpack").Append("manifest.json").Order(StringComparer.Ordinal),
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A restarted manager finds the same checkpoints and resumes from the latest.
        using var restarted = new CheckpointManager(dir.Path, TrainingOptions);
        Assert.Equal(expected, restarted.Checkpoints.Select(c => c.Step));
        Assert.Equal(Loss(37), restarted.Checkpoints.Single(c => c.Step == 37).Metric);
        StateNode resumed = restarted.Restore(null, out CheckpointInfo latest);
        Assert.Equal(100, latest.Step);
        Assert.Equal(100L, (long)resumed["step"]);
        Assert.Equal(Model(100)["w"], resumed["w"].AsArray().AsReadOnlySpan<float>().ToArray());

        for (long step = 101; step <= 110; step++)
        {
            restarted.Save(step, Model(step), metric: Loss(step));
        }

        Assert.Equal(ExpectedSteps(110), restarted.Checkpoints.Select(c => c.Step));
        Assert.Equal(ExpectedSteps(110).Length + 1, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public void Save_Always_WritesManifestInTheSharedFormat()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);

        manager.Save(10, Model(10), metric: 0.25, user: new Dictionary<string, object> { ["run"] = "a", ["lr"] = 0.001, ["epoch"] = 3, ["final"] = false });
        manager.Save(20, Model(20));

        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "manifest.json")));
        JsonElement root = manifest.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        JsonElement[] entries = [.. root.GetProperty("checkpoints").EnumerateArray()];
        Assert.Equal(2, entries.Length);
        JsonElement first = entries[0];
        Assert.Equal("checkpoint_10.msgpack", first.GetProperty("file").GetString());
        Assert.Equal(10, first.GetProperty("step").GetInt64());
        string time = first.GetProperty("time").GetString()!;
        Assert.EndsWith("Z", time, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse(time, CultureInfo.InvariantCulture) < TimeSpan.FromMinutes(10));
        Assert.Equal(0.25, first.GetProperty("metric").GetDouble());
        byte[] bytes = File.ReadAllBytes(Path.Combine(dir.Path, "checkpoint_10.msgpack"));
        Assert.Equal(bytes.Length, first.GetProperty("size").GetInt64());
        Assert.Equal("xxh3-64:" + XxHash3.HashToUInt64(bytes).ToString("x16", CultureInfo.InvariantCulture), first.GetProperty("checksum").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("library_version").GetString()));
        JsonElement user = first.GetProperty("user");
        Assert.Equal("a", user.GetProperty("run").GetString());
        Assert.Equal(0.001, user.GetProperty("lr").GetDouble());
        Assert.Equal(3, user.GetProperty("epoch").GetInt64());
        Assert.False(user.GetProperty("final").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entries[1].GetProperty("metric").ValueKind);
        Assert.Equal(JsonValueKind.Object, entries[1].GetProperty("user").ValueKind);

        using var reopened = new CheckpointManager(dir.Path);
        CheckpointInfo info = reopened.Checkpoints[0];
        Assert.Equal("a", info.User["run"]);
        Assert.Equal(3L, info.User["epoch"]);
        Assert.Equal(false, info.User["final"]);
    }

    [Fact]
    public void Restore_LatestDamaged_FallsBackToNewestIntactWithWarning()
    {
        using var dir = new TempDirectory();
        var warnings = new ConcurrentQueue<CheckpointWarning>();
        var options = new CheckpointManagerOptions { Msgpack = MsgpackOptions.Default with { OnWarning = warnings.Enqueue } };
        using var manager = new CheckpointManager(dir.Path, options);
        for (long step = 1; step <= 3; step++)
        {
            manager.Save(step, Model(step));
        }

        FlipLastByte(manager.PathFor(3));

        StateNode tree = manager.Restore(null, out CheckpointInfo restored);

        Assert.Equal(2, restored.Step);
        Assert.Equal(2L, (long)tree["step"]);
        CheckpointWarning warning = Assert.Single(warnings);
        Assert.Equal(manager.PathFor(3), warning.FilePath);
        Assert.StartsWith($"Checkpoint {manager.PathFor(3)} is damaged (its checksum is xxh3-64:", warning.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCheckpointException>(() => manager.Restore(3));
    }

    [Fact]
    public void Restore_ChecksumVerificationOff_LoadsFileAsItIs()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path, new CheckpointManagerOptions { VerifyChecksum = false });
        manager.Save(1, Model(1));
        FlipLastByte(manager.PathFor(1)); // The last byte is the value of "step", a fixint: still a valid file.

        StateNode tree = manager.Restore();

        Assert.NotEqual(1L, (long)tree["step"]);
    }

    [Fact]
    public void Restore_TruncatedLatestWithoutManifest_FallsBackToIntact()
    {
        using var dir = new TempDirectory();
        using (var manager = new CheckpointManager(dir.Path))
        {
            manager.Save(1, Model(1));
            manager.Save(2, Model(2));
        }

        File.Delete(Path.Combine(dir.Path, "manifest.json"));
        using (var stream = new FileStream(Path.Combine(dir.Path, "checkpoint_2.msgpack"), FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        using var recovered = new CheckpointManager(dir.Path, new CheckpointManagerOptions { Msgpack = MsgpackOptions.Default with { OnWarning = _ => { } } });
        Assert.Equal([1L, 2L], recovered.Checkpoints.Select(c => c.Step));
        Assert.Equal(1L, (long)recovered.Restore()["step"]);
    }

    [Fact]
    public void Constructor_FilesOutsideManifestAndTempFiles_RecoversCommittedIgnoresTemps()
    {
        using var dir = new TempDirectory();
        using (var manager = new CheckpointManager(dir.Path))
        {
            manager.Save(1, Model(1), metric: 1.0);
            manager.Save(2, Model(2), metric: 2.0);
        }

        // A save killed after its rename but before the manifest update, one killed mid-write, one file deleted by hand.
        Msgpack.Save(Path.Combine(dir.Path, "checkpoint_3.msgpack"), Model(3));
        string temp = Path.Combine(dir.Path, "checkpoint_4.msgpack.tmp-0123456789abcdef0123456789abcdef");
        File.WriteAllBytes(temp, [1, 2, 3]);
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddMinutes(-5));
        File.Delete(Path.Combine(dir.Path, "checkpoint_1.msgpack"));
        File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "x");

        using var recovered = new CheckpointManager(dir.Path);
        Assert.Equal([2L, 3L], recovered.Checkpoints.Select(c => c.Step));
        Assert.Equal(3, recovered.Latest!.Step);
        Assert.Equal(2, recovered.Best!.Step);
        Assert.Equal(3L, (long)recovered.Restore()["step"]);

        recovered.Save(5, Model(5));
        Assert.False(File.Exists(temp), "the next save did not sweep the killed save's temp file");
        Assert.True(File.Exists(Path.Combine(dir.Path, "notes.txt")));
    }

    [Fact]
    public void Save_NewCheckpointWorseThanBest_KeepsNewestAndBest()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path, new CheckpointManagerOptions { KeepBest = 1, BestMode = MetricMode.Max });

        manager.Save(1, Model(1), metric: 0.9);
        manager.Save(2, Model(2), metric: 0.5);
        Assert.Equal([1L, 2L], manager.Checkpoints.Select(c => c.Step));
        manager.Save(3, Model(3), metric: 0.1);

        Assert.Equal([1L, 3L], manager.Checkpoints.Select(c => c.Step));
        Assert.False(File.Exists(manager.PathFor(2)));
        Assert.Equal(1, manager.Best!.Step);
    }

    [Fact]
    public void Save_StepBelowTheKeptOnes_KeepsTheFileItReturns()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path, new CheckpointManagerOptions { KeepLast = 2 });
        manager.Save(10, Model(10));
        manager.Save(20, Model(20));

        string path = manager.Save(5, Model(5));

        Assert.True(File.Exists(path), "the checkpoint just saved was deleted");
        Assert.Equal([5L, 10L, 20L], manager.Checkpoints.Select(c => c.Step));
        Assert.Equal(20L, manager.Latest!.Step);
        manager.Save(30, Model(30));
        Assert.Equal([20L, 30L], manager.Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void Save_SameStepTwice_ReplacesIt()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);
        manager.Save(5, Model(5), metric: 1.0);
        manager.Save(5, Model(6), metric: 2.0);

        CheckpointInfo only = Assert.Single(manager.Checkpoints);
        Assert.Equal(2.0, only.Metric);
        Assert.Equal(6L, (long)manager.Restore(5)["step"]);
    }

    [Fact]
    public void Save_UnsupportedUserField_Throws()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);

        Assert.Throws<ArgumentException>(() => manager.Save(1, Model(1), user: new Dictionary<string, object> { ["bad"] = new object() }));
        Assert.Empty(manager.Checkpoints);
    }

    [Fact]
    public void Restore_NoCheckpoints_ThrowsFileNotFound()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);

        Assert.Throws<FileNotFoundException>(() => manager.Restore());
        manager.Save(1, Model(1));
        Assert.Throws<FileNotFoundException>(() => manager.Restore(2));
    }

    [Fact]
    public void RestoreIntoTemplate_Dictionary_GivesTemplateShapedResult()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);
        manager.Save(4, Model(4));
        var template = new Dictionary<string, object> { ["w"] = new float[8], ["step"] = 0L };

        Dictionary<string, object> restored = manager.Restore(template);

        Assert.Equal(Model(4)["w"], Assert.IsType<float[]>(restored["w"]));
        Assert.Equal(4L, restored["step"]);
    }

    [Fact]
    public void RestoreIntoTemplate_ShapeDiffers_ThrowsMismatchOrKeepsTemplateUnderIgnore()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);
        manager.Save(4, Model(4));
        var template = new Dictionary<string, object> { ["w"] = new float[3], ["step"] = 0L };

        CheckpointMismatchException e = Assert.Throws<CheckpointMismatchException>(() => manager.Restore(template));
        Dictionary<string, object> kept = manager.Restore(template, mismatch: Mismatch.Ignore);

        Assert.Equal("Array shape mismatch: expected (3,), got (8,) at path ./w", e.Message);
        Assert.Same(template["w"], kept["w"]);
        Assert.Equal(4L, kept["step"]);
    }

    [Fact]
    public void RestoreInto_LatestDamaged_FillsTheTemplatesArrayFromTheNewestIntact()
    {
        using var dir = new TempDirectory();
        var warnings = new ConcurrentQueue<CheckpointWarning>();
        using var manager = new CheckpointManager(dir.Path, new CheckpointManagerOptions { Msgpack = MsgpackOptions.Default with { OnWarning = warnings.Enqueue } });
        manager.Save(1, Model(1));
        manager.Save(2, Model(2));
        FlipLastByte(manager.PathFor(2));
        var weights = new float[8];
        var template = new Dictionary<string, object> { ["w"] = weights, ["step"] = 0L };

        Dictionary<string, object> restored = manager.RestoreInto(template);

        Assert.Same(weights, restored["w"]);
        Assert.Equal(Model(1)["w"], weights);
        Assert.Equal(1L, restored["step"]);
        Assert.StartsWith($"Checkpoint {manager.PathFor(2)} is damaged", Assert.Single(warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreInto_Mismatch_ThrowsAndLeavesTheArrayAsItWas()
    {
        using var dir = new TempDirectory();
        using var manager = new CheckpointManager(dir.Path);
        manager.Save(4, Model(4));
        var weights = new float[8];
        var template = new Dictionary<string, object> { ["w"] = weights, ["step"] = 0L, ["extra"] = 1.0 };

        Assert.Throws<CheckpointMismatchException>(() => manager.RestoreInto(template, step: 4));

        Assert.All(weights, value => Assert.Equal(0f, value));
    }

    [Theory]
    [InlineData(AsyncSnapshot.TempFile)]
    [InlineData(AsyncSnapshot.Memory)]
    public async Task SaveAsync_WithAsyncManager_CommitsInBackground(AsyncSnapshot snapshot)
    {
        using var dir = new TempDirectory();
        await using var async = new AsyncManager { Snapshot = snapshot };
        await using var manager = new CheckpointManager(dir.Path, new CheckpointManagerOptions { KeepLast = 1 }, async);
        var model = Model(1);

        await manager.SaveAsync(1, model);
        ((float[])model["w"])[0] = -1; // After the copy: must not reach the file.
        await manager.SaveAsync(2, Model(2));
        await manager.WaitAsync();

        Assert.Equal([2L], manager.Checkpoints.Select(c => c.Step));
        Assert.Equal(Model(2)["w"], manager.Restore()["w"].AsArray().AsReadOnlySpan<float>().ToArray());
        Assert.False(File.Exists(manager.PathFor(1)));
    }

    private static Dictionary<string, object> Model(long step) => new()
    {
        ["w"] = Enumerable.Range(0, 8).Select(i => (float)(step + (i * 0.5))).ToArray(),
        ["step"] = step,
    };

    // Two valleys, at steps 37 and 62, so the best checkpoints are neither the newest nor multiples of 25.
    private static double Loss(long step) => Math.Min(Math.Abs(step - 37), Math.Abs(step - 62) + 0.5) + (step * 1e-4);

    private static long[] BestSteps(long last, int count) =>
        [.. Enumerable.Range(1, (int)last).Select(s => (long)s).OrderBy(Loss).Take(count)];

    private static long[] ExpectedSteps(long last) =>
        [.. Enumerable.Range(1, (int)last).Select(s => (long)s)
            .Where(s => s > last - 3 || s % 25 == 0 || BestSteps(last, 2).Contains(s))];

    private static void FlipLastByte(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }
}
