using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Tests.Storage;

public sealed class AtomicFileTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Save_DurableOrNot_WritesTheSameBytes(bool durable)
    {
        using var dir = new TempDirectory();
        var tree = new Dictionary<string, object> { ["w"] = new[] { 1f, 2f }, ["step"] = 3 };

        Msgpack.Save(dir.File("a.msgpack"), tree, options: MsgpackOptions.Default with { Durable = durable });

        Assert.Equal(Msgpack.Serialize(tree), File.ReadAllBytes(dir.File("a.msgpack")));
        Assert.Equal(["a.msgpack"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_StaleTempFilesOfKilledSaves_AreSwept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        string stale = path + ".tmp-0123456789abcdef0123456789abcdef";
        string inUse = path + ".tmp-fedcba9876543210fedcba9876543210";
        string newer = path + ".tmp-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        string otherTarget = dir.File("other.msgpack.tmp-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        foreach (string file in new[] { stale, inUse, newer, otherTarget })
        {
            File.WriteAllBytes(file, [1, 2, 3]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5));
        }

        File.SetLastWriteTimeUtc(newer, DateTime.UtcNow.AddMinutes(5));
        using (new FileStream(inUse, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Msgpack.Save(path, new[] { 1.0 });
        }

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(inUse), "a temp file another save holds open was deleted");
        Assert.True(File.Exists(newer), "a temp file newer than the save was deleted");
        Assert.True(File.Exists(otherTarget), "a temp file of another target was deleted");
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Save_TempFilesNamedByProcess_SweepsOnlyThoseOfGoneProcesses()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        using var exited = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();
        string ofGoneProcess = $"{path}.tmp-{exited.Id}-0123456789abcdef0123456789abcdef";
        string ofLiveProcess = $"{path}.tmp-{Environment.ProcessId}-fedcba9876543210fedcba9876543210";
        using var live = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        string ofOtherLiveProcess = $"{path}.tmp-{live.Id}-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        foreach (string file in new[] { ofGoneProcess, ofLiveProcess, ofOtherLiveProcess })
        {
            File.WriteAllBytes(file, [1, 2, 3]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5));
        }

        try
        {
            Msgpack.Save(path, new[] { 1.0 });

            Assert.False(File.Exists(ofGoneProcess), "the temp file of a killed save was kept");
            Assert.False(File.Exists(ofLiveProcess), "a leftover of this process that no save is writing was kept");
            Assert.True(File.Exists(ofOtherLiveProcess), "the temp file of another running process was deleted");
        }
        finally
        {
            live.Kill();
        }
    }

    [Fact]
    public void DirectorySyncFlush_ExistingDirectory_Succeeds()
    {
        using var dir = new TempDirectory();
        DirectorySync.Flush(dir.Path);
    }

    [Fact]
    public void DirectorySyncFlush_MissingDirectory_ThrowsIOException()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // A no-op there: Windows journals renames.
        }

        using var dir = new TempDirectory();
        Assert.Throws<IOException>(() => DirectorySync.Flush(Path.Combine(dir.Path, "missing")));
    }

    [Fact]
    public void Save_WriteFails_LeavesOldFileAndNoTemp()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        Msgpack.Save(path, new[] { 1.0 });
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<CheckpointException>(() => Msgpack.Save(path, new Dictionary<string, object> { ["bad"] = new object() }));
        Assert.Throws<IOException>(() => StoreWrite.Write(new FileCheckpointStore(dir.Path), "model.msgpack", StoreCondition.None, _ => throw new IOException("disk full")));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.msgpack"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
