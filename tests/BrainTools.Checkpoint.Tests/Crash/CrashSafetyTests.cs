using BrainTools.Checkpoint.CrashChild;
using Xunit.Abstractions;

namespace BrainTools.Checkpoint.Tests.Crash;

/// <summary>
/// Saves killed for real: a child process saves a large checkpoint over an existing one in a loop and is killed
/// (SIGKILL) at random moments; the file must always be the old or the new checkpoint, complete.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Megabytes = 24;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Save_KilledAtRandomMoments_FileIsOldOrNewCheckpointAndNextSaveSweepsTemps()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        Msgpack.Save(path, CrashModel.Create(0, 0, Megabytes));
        var random = new Random(20261128);
        long verified = 0;
        int killedMidWrite = 0;
        string[] leftovers = [];
        const int Kills = 24;
        for (int kill = 0; kill < Kills; kill++)
        {
            // A third of the runs save synchronously, the others through an AsyncManager (temp-file or memory snapshots).
            string mode = (kill % 3) switch { 0 => "sync", 1 => "async", _ => "async-memory" };
            using var child = CrashChildProcess.Start("save-loop", path, "0", (verified + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Megabytes.ToString(System.Globalization.CultureInfo.InvariantCulture), mode);
            child.WaitReady(Timeout);
            // The first save of this run must succeed and sweep what the killed run left.
            child.WaitSaved(verified + 1, Timeout);
            string[] remaining = [.. leftovers.Where(File.Exists)];
            Assert.True(remaining.Length == 0, $"kill {kill}: temp files of the killed save survived the next save: {string.Join(", ", remaining)}");

            // Kill at a random moment of a save cycle (building the model, then writing it), timed on the second save.
            var cycle = System.Diagnostics.Stopwatch.StartNew();
            child.WaitSaved(verified + 2, Timeout);
            cycle.Stop();
            Thread.Sleep(random.Next(0, (int)Math.Max(1, cycle.ElapsedMilliseconds)));
            child.Kill();

            Assert.True(File.Exists(path), $"kill {kill}: the checkpoint is gone");
            (int writer, long generation) = CrashModel.Verify(Msgpack.Load(path));
            Assert.Equal(0, writer);
            Assert.True(generation >= verified, $"kill {kill}: generation {generation} is older than {verified}, which was already there");
            Assert.True(generation >= child.LastSaved, $"kill {kill}: the child reported {child.LastSaved} saved, the file holds {generation}");
            verified = generation;
            leftovers = Directory.GetFiles(dir.Path, "model.msgpack.tmp-*");
            if (leftovers.Length > 0)
            {
                killedMidWrite++;
            }
        }

        output.WriteLine($"{Kills} kills, {killedMidWrite} inside a write; last generation {verified}");
        // Without kills that land inside a write this test would prove nothing.
        Assert.True(killedMidWrite > 0, "no kill hit a save in progress");
        Msgpack.Save(path, CrashModel.Create(0, verified + 1, 1));
        Assert.Equal(["model.msgpack"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void CheckpointManagerSave_KilledAtRandomMoments_RestartedManagerRestoresIntactLatest()
    {
        using var dir = new TempDirectory();
        var random = new Random(4);
        long verified = -1;
        for (int kill = 0; kill < 8; kill++)
        {
            using (var child = CrashChildProcess.Start("manager-loop", dir.Path, (verified + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "8"))
            {
                child.WaitReady(Timeout);
                var cycle = System.Diagnostics.Stopwatch.StartNew();
                child.WaitSaved(verified + 1, Timeout);
                Thread.Sleep(random.Next(0, (int)Math.Max(1, cycle.ElapsedMilliseconds)));
                child.Kill();
            }

            using var manager = new CheckpointManager(dir.Path, new CheckpointManagerOptions { KeepLast = 2 });
            Assert.NotNull(manager.Latest);
            StateNode tree = manager.Restore(null, out CheckpointInfo restored);
            (_, long step) = CrashModel.Verify(tree);
            Assert.Equal(restored.Step, step);
            Assert.True(step >= verified, $"kill {kill}: restored step {step}, but {verified} was already committed");
            verified = step;
        }
    }

    [Fact]
    public void Save_TwoProcessesToOnePath_FileIsAlwaysOneWholeCheckpoint()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        Msgpack.Save(path, CrashModel.Create(1, 0, 4));
        using var first = CrashChildProcess.Start("save-loop", path, "1", "1", "4", "sync");
        using var second = CrashChildProcess.Start("save-loop", path, "2", "1", "4", "async-memory");
        first.WaitReady(Timeout);
        second.WaitReady(Timeout);
        first.WaitSaved(3, Timeout);
        second.WaitSaved(3, Timeout);

        var writers = new HashSet<int>();
        for (int i = 0; i < 40; i++)
        {
            (int writer, _) = CrashModel.Verify(Msgpack.Load(path));
            writers.Add(writer);
            Thread.Sleep(10);
        }

        first.Kill();
        second.Kill();
        CrashModel.Verify(Msgpack.Load(path));
        Assert.Subset(new HashSet<int> { 1, 2 }, writers);
    }

    [Fact]
    public async Task Save_TwoManagersToOnePath_FileIsAlwaysOneWholeCheckpoint()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        Msgpack.Save(path, CrashModel.Create(1, 0, 2));
        var warningsOff = MsgpackOptions.Default with { OnWarning = _ => { } };
        Task[] writers = [.. new[] { 1, 2 }.Select(writer => Task.Run(() =>
        {
            using var manager = new AsyncManager { Snapshot = writer == 1 ? AsyncSnapshot.TempFile : AsyncSnapshot.Memory };
            for (long generation = 1; generation <= 15; generation++)
            {
                Msgpack.Save(path, CrashModel.Create(writer, generation, 2), options: warningsOff, asyncManager: manager);
            }
        }))];

        int reads = 0;
        while (!Task.WhenAll(writers).IsCompleted)
        {
            CrashModel.Verify(Msgpack.Load(path));
            reads++;
        }

        await Task.WhenAll(writers);
        CrashModel.Verify(Msgpack.Load(path));
        Assert.True(reads > 0);
        Assert.Equal(["model.msgpack"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
