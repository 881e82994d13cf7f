using System.IO.Hashing;

namespace BrainTools.Checkpoint.Tests.Storage;

public class VerifyFileTests
{
    [Fact]
    public void VerifyFile_CheckpointOfAManager_OkWithTheRecordedChecksum()
    {
        using var temp = new TempDirectory();
        string path;
        using (var manager = new CheckpointManager(temp.Path))
        {
            path = manager.Save(10, new StateMap { { "w", NdArray.FromArray(new float[] { 1, 2, 3 }, new Shape(3)) } });
        }

        long reported = 0;
        ChecksumVerification check = CheckpointManager.VerifyFile(path, new ReportingProgress(v => reported += v));

        Assert.Equal(ChecksumStatus.Ok, check.Status);
        Assert.True(check.IsIntact);
        Assert.Equal($"xxh3-64:{XxHash3.HashToUInt64(File.ReadAllBytes(path)):x16}", check.ActualChecksum);
        Assert.Equal(new FileInfo(path).Length, reported);
    }

    [Fact]
    public void VerifyFile_BytesChangedAfterTheSave_ChecksumMismatch()
    {
        using var temp = new TempDirectory();
        string path;
        using (var manager = new CheckpointManager(temp.Path))
        {
            path = manager.Save(10, new StateMap { { "w", NdArray.FromArray(new float[] { 1, 2, 3 }, new Shape(3)) } });
        }

        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        ChecksumVerification check = CheckpointManager.VerifyFile(path);

        Assert.Equal(ChecksumStatus.ChecksumMismatch, check.Status);
        Assert.False(check.IsIntact);
        Assert.NotEqual(check.RecordedChecksum, check.ActualChecksum);
    }

    [Fact]
    public void VerifyFile_SizeChanged_SizeMismatchWithoutHashing()
    {
        using var temp = new TempDirectory();
        string path;
        using (var manager = new CheckpointManager(temp.Path))
        {
            path = manager.Save(10, new StateMap { { "step", 10L } });
        }

        File.AppendAllText(path, "x");
        long reported = 0;

        ChecksumVerification check = CheckpointManager.VerifyFile(path, new ReportingProgress(v => reported += v));

        Assert.Equal(ChecksumStatus.SizeMismatch, check.Status);
        Assert.Equal(check.RecordedSize + 1, check.ActualSize);
        Assert.Equal(0, reported);
    }

    [Fact]
    public void VerifyFile_NoManifestOrAnotherToolsManifest_NothingCheckedNothingContradicted()
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.msgpack");
        Msgpack.Save(path, new StateMap { { "step", 1L } });

        ChecksumVerification none = CheckpointManager.VerifyFile(path);
        File.WriteAllText(temp.File("manifest.json"), "{\"name\": \"something else\"}");
        ChecksumVerification foreign = CheckpointManager.VerifyFile(path);

        Assert.Equal(ChecksumStatus.NotRecorded, none.Status);
        Assert.Equal(ChecksumStatus.ManifestUnreadable, foreign.Status);
        Assert.True(foreign.IsIntact);
    }

    [Fact]
    public void MsgpackOptionsProgress_SaveAndLoad_ReportTheFilesBytes()
    {
        using var temp = new TempDirectory();
        long written = 0, read = 0;
        var tree = new StateMap { { "w", NdArray.Zeros(DType.Float64, new Shape(100_000)) }, { "step", 3L } };

        Msgpack.Save(temp.File("m.msgpack"), tree, options: MsgpackOptions.Default with { Progress = new ReportingProgress(v => written += v) });
        Msgpack.Load(temp.File("m.msgpack"), options: MsgpackOptions.Default with { Progress = new ReportingProgress(v => Interlocked.Add(ref read, v)) });

        long length = new FileInfo(temp.File("m.msgpack")).Length;
        Assert.Equal(length, written);
        Assert.Equal(length, read);
    }
}
