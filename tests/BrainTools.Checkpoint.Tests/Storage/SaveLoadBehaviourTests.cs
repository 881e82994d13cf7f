using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Tests.EntryPoints;
using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>What <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/> and Load promise about files.</summary>
public class SaveLoadBehaviourTests
{
    private static readonly Dictionary<string, object> Small = new() { ["w"] = new[] { 1f, 2f }, ["step"] = 3 };

    [Fact]
    public void Save_OverwriteFalseOnExistingFile_ThrowsAndLeavesFileIntact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ckpt.msgpack");
        Msgpack.Save(path, Small);
        byte[] before = File.ReadAllBytes(path);

        CheckpointException e = Assert.Throws<CheckpointConflictException>(() => Msgpack.Save(path, new Dictionary<string, object> { ["other"] = 1 }, overwrite: false));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
        Assert.Single(Directory.EnumerateFiles(dir.Path));
    }

    [Fact]
    public void Save_OverwriteTrueOnExistingFile_Replaces()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ckpt.msgpack");
        Msgpack.Save(path, Small);

        Msgpack.Save(path, new Dictionary<string, object> { ["other"] = 1 });

        Assert.Equal("{'other': 1}", Msgpack.Load(path).ToString());
    }

    [Fact]
    public void Save_OverwriteFalseOnNewFile_Writes()
    {
        using var dir = new TempDirectory();

        Msgpack.Save(dir.File("new.msgpack"), Small, overwrite: false);

        Assert.Equal(3L, (long)Msgpack.Load(dir.File("new.msgpack"))["step"]);
    }

    [Fact]
    public void Save_MissingDirectories_AreCreated()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "a", "b", "c", "ckpt.msgpack");

        Msgpack.Save(path, Small);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Save_ReturnsPathAsGiven()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "x", "..", "ckpt.msgpack");

        Assert.Same(path, Msgpack.Save(path, Small));
    }

    [Fact]
    public void SaveLoad_Verbose_PrintsTutorialMessagesToLog()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ckpt.msgpack");
        using var log = new StringWriter();
        var options = MsgpackOptions.Default with { Log = log, Verbose = true };

        Msgpack.Save(path, Small, options: options);
        Msgpack.Load(path, options);
        Msgpack.Load(path, new Dictionary<string, object> { ["w"] = new float[2] }, Mismatch.Ignore, options);
        Msgpack.LoadInto(path, new Dictionary<string, object> { ["w"] = new float[2] }, Mismatch.Ignore, options);
        Msgpack.Load(path, options with { Verbose = false });

        string n = Environment.NewLine;
        Assert.Equal($"Saving checkpoint into {path}{n}Loading checkpoint from {path}{n}Loading checkpoint from {path}{n}Loading checkpoint from {path}{n}", log.ToString());
    }

    [Fact]
    public void Save_FailingMidway_LeavesOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ckpt.msgpack");
        Msgpack.Save(path, Small);
        byte[] before = File.ReadAllBytes(path);

        // The first array reaches the file; the second is over the 4 GiB one msgpack value can hold, and with chunking
        // off the writer refuses it after it has started writing. The 4 GiB are reserved, never touched.
        using var huge = new NativeArrayStorage((4L << 30) + 8);
        var tree = new StateMap
        {
            { "first", NdArray.Zeros(DType.Float32, new Shape(1 << 18)) },
            { "huge", new NdArray(DType.Float64, new Shape(huge.ByteLength / 8), huge, 0) },
        };

        CheckpointException e = Assert.Throws<CheckpointException>(() => Msgpack.Save(path, tree, options: MsgpackOptions.Default with { MaxChunkSize = long.MaxValue }));

        Assert.Contains("./huge", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.EnumerateFiles(dir.Path));
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*" + AtomicFile.TempInfix + "*"));
    }

    [Fact]
    public void Save_ValueWithoutStateDictForm_ThrowsBeforeTouchingFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ckpt.msgpack");

        CheckpointException e = Assert.Throws<CheckpointException>(() => Msgpack.Save(path, new Dictionary<string, object> { ["x"] = new object() }));

        Assert.Contains("./x", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundWithTutorialMessage()
    {
        using var dir = new TempDirectory();
        string path = dir.File("missing.msgpack");

        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Msgpack.Load(path));

        Assert.Equal($"Checkpoint not found: {path}", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void Load_FileOverMaxFileSize_RefusedBeforeReading()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.msgpack");
        using (var file = File.Create(path))
        {
            file.SetLength(256L << 20); // sparse: costs no disk
        }

        // This thread's allocations only: tests in other classes run in parallel.
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path, options: MsgpackOptions.Default with { MaxFileSize = 1 << 20 }));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Contains("MaxFileSize", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Load_StreamOverMaxFileSize_StopsReadingAtLimit()
    {
        var endless = new EndlessStream();

        Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(endless, MsgpackOptions.Default with { MaxFileSize = 100_000 }));

        Assert.InRange(endless.BytesRead, 100_001, 200_000);
    }

    [Fact]
    public void Load_SeekableStreamOverMaxFileSize_RefusedBeforeReading()
    {
        using var dir = new TempDirectory();
        using var file = new FileStream(dir.File("big.msgpack"), FileMode.Create, FileAccess.ReadWrite);
        file.SetLength(64L << 20);
        file.Position = 0;

        Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(file, MsgpackOptions.Default with { MaxFileSize = 1 << 20 }));

        Assert.Equal(0, file.Position);
    }

    [Theory]
    [InlineData("nesting_bomb.msgpack")]
    [InlineData("map32_claims_4g_entries.msgpack")]
    [InlineData("bin32_claims_4gib.msgpack")]
    public void Load_HostileFileOnSmallStack_ThrowsInvalidCheckpointWithoutAllocating(string name)
    {
        string path = Path.Combine(InteropDirectory.Corrupt, name);
        Exception? caught = null;
        long allocated = 0;

        // 256 KiB of stack: a reader that recursed once per level of a 200,000-level file would crash the process here.
        var thread = new Thread(
            () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    Msgpack.Load(path);
                }
                catch (Exception e)
                {
                    caught = e;
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            },
            maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.IsType<InvalidCheckpointException>(caught);
        Assert.True(allocated < (16 * new FileInfo(path).Length) + (16 << 20), $"allocated {allocated} bytes");
    }

    [Fact]
    public void Open_NestingBombOnSmallStack_ThrowsInvalidCheckpoint()
    {
        string path = Path.Combine(InteropDirectory.Corrupt, "nesting_bomb.msgpack");
        Exception? caught = null;

        // The index pass of Open recurses per level too: on 256 KiB of stack it must refuse, not overflow.
        var thread = new Thread(
            () =>
            {
                try
                {
                    using CheckpointReader reader = Msgpack.Open(path);
                }
                catch (Exception e)
                {
                    caught = e;
                }
            },
            maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.IsType<InvalidCheckpointException>(caught);
    }

    [Fact]
    public void Load_NestingBomb_MessageShowsShortenedPath()
    {
        string path = Path.Combine(InteropDirectory.Corrupt, "nesting_bomb.msgpack");

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path));

        Assert.Equal($"Invalid checkpoint {path}: maps nest deeper than 1000 levels (MsgpackOptions.MaxDepth) at path ./k/k/k/k/k/k/k/k/...(984 more)/k/k/k/k/k/k/k/k", e.Message);
    }

    [Fact]
    public void Load_LengthPastEnd_MessageSaysSo()
    {
        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(Path.Combine(InteropDirectory.Corrupt, "bin32_claims_4gib.msgpack")));

        Assert.StartsWith("a length claims more bytes than the data holds", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(256 * 1024, 50)] // about 110 levels fit 256 KiB
    [InlineData(2048 * 1024, 1000)] // the default MaxDepth: about 1 KiB of stack a level, even before the JIT optimises
    public void Load_DeepButAllowedNestingOnSmallStack_Loads(int stackSize, int depth)
    {
        byte[] data = EntryPointTests.Nested(depth);

        (StateNode? loaded, Exception? caught) = DeepTrees.OnThread(stackSize, () => Msgpack.Deserialize(data));

        Assert.Null(caught);
        Assert.NotNull(loaded);
    }

    [Fact]
    public void Load_NestingPastWhatSmallStackHolds_ThrowsInvalidCheckpointNotStackOverflow()
    {
        // 1000 levels (the default MaxDepth) do not fit 256 KiB; the reader must refuse the data, not crash.
        byte[] data = EntryPointTests.Nested(MsgpackOptions.Default.MaxDepth);

        (_, Exception? caught) = DeepTrees.OnThread(256 * 1024, () => Msgpack.Deserialize(data));

        InvalidCheckpointException e = Assert.IsType<InvalidCheckpointException>(caught);
        Assert.Contains("stack", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_TreeDeeperThanSmallStackHolds_ThrowsCheckpointExceptionNotStackOverflow()
    {
        StateMap root = DeepTrees.Chain(5001);

        (_, Exception? caught) = DeepTrees.OnThread(256 * 1024, () => Msgpack.Serialize(root));

        Assert.IsType<CheckpointException>(caught);
    }

    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)0xC0, offset, count);
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
