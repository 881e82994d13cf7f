using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>Msgpack.Open: an index without payloads, then reads of exactly what is asked for.</summary>
public class CheckpointReaderTests
{
    private const int Layers = 16;
    private const long Rows = 256;
    private const long Columns = 256;
    private const long WeightBytes = Rows * Columns * sizeof(float);

    public static IEnumerable<object[]> CorruptFiles() => CorruptFileTests.Files();

    [Fact]
    public void Open_LargeArrays_IndexesWithoutTouchingPayloads()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);

        using CheckpointReader reader = Msgpack.Open(file);

        // One 4 KiB window of headers per array at most, out of 4.2 MB of payloads.
        Assert.Equal(new FileInfo(file).Length, reader.FileLength);
        Assert.True(reader.BytesTouched <= (2 * Layers + 1) * 4096, $"the index pass read {reader.BytesTouched} bytes");
        CheckpointEntry weight = reader["layers/3/weight"];
        Assert.Equal(StateNodeKind.NdArray, weight.Kind);
        Assert.Equal(DType.Float32, weight.DType);
        Assert.Equal(new Shape(Rows, Columns), weight.Shape);
        Assert.Equal(WeightBytes, weight.ByteLength);
        Assert.False(weight.IsChunked);
        Assert.Equal(tree["layers"][3]["weight"].AsArray().AsReadOnlySpan<byte>().ToArray(), FileBytes(file, weight.ByteOffset, (int)weight.ByteLength));
        Assert.Equal(StateNodeKind.Int, reader["./step"].Kind);
        Assert.Equal(["layers", "step", "name"], reader.Root.Children.Select(c => c.Key));
    }

    [Fact]
    public void ReadArray_OneOfMany_TouchesOnlyThatArray()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);
        long before = reader.BytesTouched;

        NdArray weight = reader.ReadArray("./layers/5/weight");

        Assert.Equal(WeightBytes, reader.BytesTouched - before);
        Assert.True(tree["layers"][5]["weight"].AsArray().Equals(weight));
    }

    [Fact]
    public void ReadRows_Slice_EqualsRowsOfFullArrayAndTouchesOnlyThem()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);
        long before = reader.BytesTouched;

        NdArray rows = reader.ReadRows("layers/2/weight", 10, 3);

        NdArray full = tree["layers"][2]["weight"].AsArray();
        int rowBytes = (int)(Columns * sizeof(float));
        Assert.Equal(new Shape(3L, Columns), rows.Shape);
        Assert.Equal(full.GetBytes(10 * rowBytes, 3 * rowBytes).ToArray(), rows.AsReadOnlySpan<byte>().ToArray());
        Assert.Equal(3 * rowBytes, reader.BytesTouched - before);
    }

    [Fact]
    public void ReadRows_ChunkedArrayAcrossChunks_EqualsRowsOfFullArray()
    {
        var random = new Random(11);
        NdArray array = TreeGenerator.RandomArray(random, DType.Int16, new Shape(40L, 7L));
        using var dir = new TempDirectory();

        // 100-byte chunks: 50 elements each, so rows (7 elements) straddle chunk boundaries.
        string file = SaveChunked(dir, array, maxChunkSize: 100);
        using CheckpointReader reader = Msgpack.Open(file);
        long before = reader.BytesTouched;

        NdArray rows = reader.ReadRows("a", 6, 9);

        Assert.True(reader["a"].IsChunked);
        Assert.Equal(-1, reader["a"].ByteOffset);
        Assert.Equal(new Shape(9L, 7L), rows.Shape);
        Assert.Equal(array.GetBytes(6 * 14, 9 * 14).ToArray(), rows.AsReadOnlySpan<byte>().ToArray());
        Assert.Equal(9 * 14, reader.BytesTouched - before);
        Assert.True(array.Equals(reader.ReadArray("a")));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 257)]
    [InlineData(255, 2)]
    public void ReadRows_OutOfRange_Throws(long start, long count)
    {
        using var dir = new TempDirectory();
        (string file, _) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);

        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadRows("layers/0/weight", start, count));
    }

    [Fact]
    public void ReadTree_SubTree_EqualsFullLoadSubTreeAndTouchesOnlyIt()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);
        long before = reader.BytesTouched;

        StateNode layer = reader.ReadTree("layers/7");

        TreeAssert.Equal(tree["layers"][7], layer);
        Assert.Equal(WeightBytes + (Columns * sizeof(float)), reader.BytesTouched - before);
    }

    [Fact]
    public void ReadMatching_Template_ReadsOnlyTemplatePaths()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);
        var template = new Dictionary<string, object?>
        {
            ["layers"] = new Dictionary<string, object?> { ["1"] = new Dictionary<string, object?> { ["bias"] = new float[Columns] }, ["99"] = 0L },
            ["step"] = 0L,
        };
        long before = reader.BytesTouched;

        StateNode part = reader.ReadMatching(template);

        var expected = new StateMap()
            .Set("layers", new StateMap().Set("1", new StateMap().Set("bias", tree["layers"][1]["bias"])))
            .Set("step", tree["step"]);
        TreeAssert.Equal(expected, part);
        Assert.Equal(Columns * sizeof(float), reader.BytesTouched - before);
    }

    [Fact]
    public void ReadArray_AfterDispose_ThrowsAndEarlierReadsStayValid()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);
        CheckpointReader reader = Msgpack.Open(file);
        NdArray bias = reader.ReadArray("layers/0/bias");

        reader.Dispose();

        Assert.Throws<ObjectDisposedException>(() => reader.ReadArray("layers/0/bias"));
        Assert.True(tree["layers"][0]["bias"].AsArray().Equals(bias));
        Assert.Equal(DType.Float32, reader["layers/0/bias"].DType);
    }

    [Fact]
    public void ReadArray_View_IsWritableAndFileUnchanged()
    {
        using var dir = new TempDirectory();
        (string file, StateMap tree) = WriteModel(dir);
        byte[] before = File.ReadAllBytes(file);
        using CheckpointReader reader = Msgpack.Open(file);

        NdArray bias = reader.ReadArray("layers/4/bias");
        bias.AsSpan<float>()[0] = 123f;

        Assert.Equal(123f, reader.ReadArray("layers/4/bias").AsReadOnlySpan<float>()[0]);
        Assert.Equal(tree["layers"][4]["bias"].AsArray().AsReadOnlySpan<float>()[1], bias.AsReadOnlySpan<float>()[1]);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Dispose_NoViewsHandedOut_UnmapsAndThrowsOnRead()
    {
        var random = new Random(2);
        NdArray array = TreeGenerator.RandomArray(random, DType.UInt8, new Shape(1000L));
        using var dir = new TempDirectory();
        string file = SaveChunked(dir, array, maxChunkSize: 300);
        CheckpointReader reader = Msgpack.Open(file);
        NdArray copy = reader.ReadArray("a");

        reader.Dispose();
        reader.Dispose();

        Assert.True(array.Equals(copy));
        Assert.Throws<ObjectDisposedException>(() => reader.ReadRows("a", 0, 1));
    }

    [Fact]
    public void ReadArray_ManyThreadsWhileDisposing_ReturnsArraysOrThrowsDisposed()
    {
        var random = new Random(9);
        NdArray array = TreeGenerator.RandomArray(random, DType.Float32, new Shape(64L, 64L));
        using var dir = new TempDirectory();

        // Chunked, so every read copies out of the mapping while Dispose may run.
        string file = SaveChunked(dir, array, maxChunkSize: 1000);
        CheckpointReader reader = Msgpack.Open(file);
        int read = 0, refused = 0;

        Parallel.For(0, 200, i =>
        {
            if (i == 100)
            {
                reader.Dispose();
            }

            try
            {
                Assert.True(array.Equals(reader.ReadArray("a")));
                Interlocked.Increment(ref read);
            }
            catch (ObjectDisposedException)
            {
                Interlocked.Increment(ref refused);
            }
        });

        Assert.Equal(200, read + refused);
        Assert.True(refused > 0);
    }

    [Fact]
    public void ReadArray_NotAnArrayOrMissing_Throws()
    {
        using var dir = new TempDirectory();
        (string file, _) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);

        Assert.Throws<InvalidOperationException>(() => reader.ReadArray("step"));
        Assert.Throws<InvalidOperationException>(() => reader.ReadArray("layers"));
        Assert.Throws<KeyNotFoundException>(() => reader.ReadArray("layers/0/nope"));
        Assert.False(reader.TryGetEntry("step/x", out _));
    }

    [Fact]
    public void ReadArray_EntryOfAnotherReader_ThrowsArgumentException()
    {
        using var dir = new TempDirectory();
        Msgpack.Save(dir.File("a.msgpack"), new StateMap().Set("w", NdArray.FromArray(new[] { 1.0, 2.0, 3.0 })));
        Msgpack.Save(dir.File("b.msgpack"), new StateMap().Set("w", NdArray.FromArray(new[] { 4.0, 5.0, 6.0 })));
        using CheckpointReader a = Msgpack.Open(dir.File("a.msgpack"));
        using CheckpointReader b = Msgpack.Open(dir.File("b.msgpack"));

        // Same layout, same offsets: reading b's entry through a's mapping would return a's values.
        Assert.Throws<ArgumentException>(() => a.ReadArray(b["w"]));
    }

    [Fact]
    public void Open_MissingFile_ThrowsCheckpointNotFound()
    {
        using var dir = new TempDirectory();
        string file = dir.File("none.msgpack");

        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Msgpack.Open(file));

        Assert.Equal($"Checkpoint not found: {file}", e.Message);
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Open_CorruptFile_ThrowsInvalidCheckpointNamingFile(string name)
    {
        string path = Path.Combine(InteropDirectory.Corrupt, name);

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(path));

        Assert.Equal(path, e.FilePath);
        Assert.NotNull(e.TreePath);
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Load_CorruptFileMemoryMappedOrParallel_ThrowsInvalidCheckpoint(string name)
    {
        string path = Path.Combine(InteropDirectory.Corrupt, name);

        Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path, options: MsgpackOptions.Default with { LoadMode = CheckpointLoadMode.MemoryMap }));
        Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path, options: MsgpackOptions.Default with { ParallelReadThreshold = 1 }));
    }

    [Fact]
    public void Entry_ToStringAndDescendants_DescribeTheIndex()
    {
        using var dir = new TempDirectory();
        (string file, _) = WriteModel(dir);
        using CheckpointReader reader = Msgpack.Open(file);

        Assert.Equal($"./layers/0/weight: float32 ({Rows}, {Columns}), {WeightBytes} bytes", reader["layers/0/weight"].ToString());
        Assert.Equal(2 * Layers, reader.Root.Descendants().Count(e => e.Kind == StateNodeKind.NdArray));
    }

    [Fact]
    public void Open_ValuesAndKeysAcrossWindowBoundaries_IndexEqualsFullLoad()
    {
        using var dir = new TempDirectory();
        var random = new Random(11);
        var tree = new StateMap();
        for (int i = 0; i < 200; i++)
        {
            // Arrays of odd sizes put the next headers at every offset of the index pass's 4 KiB windows; the
            // strings and long keys run past them; the keys repeat from map to map.
            tree.Set(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new StateMap()
                .Set("weight", TreeGenerator.RandomArray(random, DType.Float32, new Shape(random.Next(0, 700))))
                .Set("名前", "値" + i)
                .Set(new string('k', (i * 7) + 1), (long)i)
                .Set("note", new string('x', random.Next(0, 9000)))
                .Set("scale", random.NextDouble()));
        }

        tree.Set(new string('K', 10_000), true);
        string file = dir.File("windows.msgpack");
        Msgpack.Save(file, tree);

        using CheckpointReader reader = Msgpack.Open(file);

        TreeAssert.Equal(Msgpack.Load(file), reader.ReadTree());
        Assert.Equal("./199/名前", reader["199/名前"].Path);
        Assert.Equal(StateNodeKind.Int, reader["./57/" + new string('k', (57 * 7) + 1)].Kind);
        Assert.Equal(StateNodeKind.Bool, reader[new string('K', 10_000)].Kind);
        Assert.False(reader.TryGetEntry("12/bias", out _));
        Assert.False(reader.TryGetEntry("200", out _));
    }

    [Theory]
    [InlineData(3)] // a small map: its children are found by a scan
    [InlineData(12)] // a large one: by a dictionary
    public void Open_RepeatedKey_KeepsFirstPlaceAndLastValueAsFullLoad(int keys)
    {
        using var dir = new TempDirectory();

        // {"ka": 0, "kb": 1, ..., then "kb" again: 100} as msgpack, which a writer of ours never produces.
        var bytes = new List<byte> { (byte)(0x80 | (keys + 1)) };
        for (int i = 0; i < keys; i++)
        {
            bytes.AddRange([0xa2, (byte)'k', (byte)('a' + i), (byte)i]);
        }

        bytes.AddRange([0xa2, (byte)'k', (byte)'b', 100]);
        string file = dir.File("repeated.msgpack");
        File.WriteAllBytes(file, [.. bytes]);

        using CheckpointReader reader = Msgpack.Open(file);

        TreeAssert.Equal(Msgpack.Load(file), reader.ReadTree());
        Assert.Equal(keys, reader.Root.Children.Count);
        Assert.Equal("kb", reader.Root.Children[1].Key);
        Assert.Equal(100L, (long)((StateValue)reader.ReadTree("kb")).Value!);
    }

    private static (string File, StateMap Tree) WriteModel(TempDirectory dir)
    {
        var random = new Random(5);
        var layers = new StateMap();
        for (int i = 0; i < Layers; i++)
        {
            layers.Set(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new StateMap()
                .Set("weight", TreeGenerator.RandomArray(random, DType.Float32, new Shape(Rows, Columns)))
                .Set("bias", TreeGenerator.RandomArray(random, DType.Float32, new Shape(Columns))));
        }

        var tree = new StateMap().Set("layers", layers).Set("step", 1000L).Set("name", "model");
        string file = dir.File("model.msgpack");
        Msgpack.Save(file, tree);
        return (file, tree);
    }

    private static byte[] FileBytes(string file, long offset, int count)
    {
        using FileStream stream = File.OpenRead(file);
        stream.Position = offset;
        byte[] bytes = new byte[count];
        stream.ReadExactly(bytes);
        return bytes;
    }

    // Saves {"a": array} split into chunks of at most maxChunkSize bytes.
    private static string SaveChunked(TempDirectory dir, NdArray array, long maxChunkSize)
    {
        string file = dir.File("chunked.msgpack");
        Msgpack.Save(file, new StateMap().Set("a", array), options: MsgpackOptions.Default with { MaxChunkSize = maxChunkSize });
        return file;
    }
}
