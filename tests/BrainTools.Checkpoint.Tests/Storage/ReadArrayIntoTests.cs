namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>CheckpointReader.ReadArrayInto: the file's bytes straight into the caller's memory.</summary>
public class ReadArrayIntoTests
{
    [Fact]
    public void ReadArrayInto_SameDType_FillsDestinationAndCountsOnlyThatArray()
    {
        using var dir = new TempDirectory();
        var random = new Random(11);
        NdArray saved = TreeGenerator.RandomArray(random, DType.Float32, new Shape(64L, 48L));
        string file = Save(dir, new StateMap().Set("a", TreeGenerator.RandomArray(random, DType.Int16, new Shape(300L))).Set("w", saved));
        using CheckpointReader reader = Msgpack.Open(file);
        NdArray destination = NdArray.Zeros(DType.Float32, saved.Shape);
        long before = reader.BytesTouched;

        reader.ReadArrayInto("w", destination);

        Assert.True(saved.Equals(destination));
        Assert.Equal(saved.ByteLength, reader.BytesTouched - before);
    }

    [Fact]
    public void ReadArrayInto_OtherDType_ConvertsAsAsType()
    {
        using var dir = new TempDirectory();
        NdArray saved = NdArray.FromArray(new[] { 1.5, -2.75, 300.25, 1e10 });
        string file = Save(dir, new StateMap().Set("w", saved));
        using CheckpointReader reader = Msgpack.Open(file);
        NdArray destination = NdArray.Zeros(DType.Float32, saved.Shape);

        reader.ReadArrayInto(reader["w"], destination);

        Assert.True(saved.AsType(DType.Float32).Equals(destination));
    }

    [Theory]
    [InlineData(3L << 20)] // parallel reads in 1 MiB blocks
    [InlineData((5L << 20) + 12_344)] // and a last block cut short
    public void ReadArrayInto_LargeArray_ReadInParallelEqualsSaved(long bytes)
    {
        using var dir = new TempDirectory();
        NdArray saved = TreeGenerator.RandomArray(new Random(3), DType.UInt8, new Shape(bytes));
        string file = Save(dir, new StateMap().Set("big", saved));
        using CheckpointReader reader = Msgpack.Open(file);
        NdArray destination = NdArray.Zeros(DType.UInt8, saved.Shape);

        reader.ReadArrayInto("big", destination);

        Assert.True(saved.Equals(destination));
    }

    [Fact]
    public void ReadArrayInto_ChunkedArray_JoinsTheChunks()
    {
        using var dir = new TempDirectory();
        NdArray saved = TreeGenerator.RandomArray(new Random(8), DType.Float64, new Shape(100L, 7L));
        string file = dir.File("chunked.msgpack");
        Msgpack.Save(file, new StateMap().Set("a", saved), options: MsgpackOptions.Default with { MaxChunkSize = 1000 });
        using CheckpointReader reader = Msgpack.Open(file);
        Assert.True(reader["a"].IsChunked);
        NdArray destination = NdArray.Zeros(DType.Float64, saved.Shape);

        reader.ReadArrayInto("a", destination);

        Assert.True(saved.Equals(destination));
    }

    [Fact]
    public void ReadArrayInto_BadDestination_ThrowsAndLeavesItUntouched()
    {
        using var dir = new TempDirectory();
        string file = Save(dir, new StateMap().Set("w", NdArray.FromArray(new float[6], new Shape(2L, 3L))));
        using CheckpointReader reader = Msgpack.Open(file);
        NdArray wrongShape = NdArray.Zeros(DType.Float32, new Shape(3L, 2L));
        using CheckpointReader other = Msgpack.Open(file);

        ArgumentException shape = Assert.Throws<ArgumentException>(() => reader.ReadArrayInto("w", wrongShape));
        Assert.Contains("./w", shape.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => reader.ReadArrayInto(other["w"], NdArray.Zeros(DType.Float32, new Shape(2L, 3L))));
        Assert.Throws<KeyNotFoundException>(() => reader.ReadArrayInto("missing", wrongShape));
    }

    [Fact]
    public void ReadArrayInto_AfterDispose_ThrowsObjectDisposed()
    {
        using var dir = new TempDirectory();
        string file = Save(dir, new StateMap().Set("w", NdArray.FromArray(new[] { 1, 2, 3 })));
        CheckpointReader reader = Msgpack.Open(file);
        CheckpointEntry entry = reader["w"];
        reader.Dispose();

        Assert.Throws<ObjectDisposedException>(() => reader.ReadArrayInto(entry, NdArray.Zeros(DType.Int32, new Shape(3L))));
    }

    [Fact]
    public void ReadArrayInto_FileTruncatedAfterOpen_ThrowsInvalidCheckpointNamingTheFile()
    {
        using var dir = new TempDirectory();
        NdArray saved = TreeGenerator.RandomArray(new Random(4), DType.Float32, new Shape(4096L));
        string file = Save(dir, new StateMap().Set("w", saved));
        using CheckpointReader reader = Msgpack.Open(file);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length / 2);
        }

        // The bytes come by reads, not through the mapping: a shrunk file is an error, not a SIGBUS.
        var error = Assert.Throws<InvalidCheckpointException>(() => reader.ReadArrayInto("w", NdArray.Zeros(DType.Float32, saved.Shape)));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("shrank", error.Message, StringComparison.Ordinal);
        Assert.Equal("./w", error.TreePath);
    }

    private static string Save(TempDirectory dir, StateMap tree)
    {
        string file = dir.File("model.msgpack");
        Msgpack.Save(file, tree);
        return file;
    }
}
