using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Sources;

/// <summary>
/// A checkpoint read from a source that is not a local file (<see cref="ICheckpointSource"/>, as a blob is): full
/// loads, lazy opens and loads in place give what the same file gives from its path, at the read counts the source's
/// preferred read size promises.
/// </summary>
public class CheckpointSourceTests
{
    private const int MiB = 1 << 20;

    public static IEnumerable<object[]> Vectors() => Manifest.Names();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void LoadAndOpen_InteropVector_SameTreeAsTheFile(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        StateNode expected = Msgpack.Load(entry.FilePath);
        byte[] bytes = File.ReadAllBytes(entry.FilePath);

        using var source = new RecordingSource(bytes) { MaxBytesPerRead = 1000 };
        StateNode loaded = Msgpack.Load(source);
        StateNode opened;
        using (CheckpointReader reader = Msgpack.Open(new RecordingSource(bytes)))
        {
            opened = reader.ReadTree();
        }

        TreeAssert.Equal(expected, loaded);
        TreeAssert.Equal(expected, opened);
        Assert.False(source.Disposed); // Load leaves the caller's source open.
    }

    [Fact]
    public void Open_LargeArraysAndPreferredReadOf4MiB_AboutOneReadPerHeaderThenOneReadPerArray()
    {
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object>
        {
            ["big"] = NdArray.Zeros(DType.Float32, new Shape(16 * MiB)), // 64 MiB
            ["layer"] = new Dictionary<string, object> { ["weight"] = NdArray.Zeros(DType.Float32, new Shape(MiB)), ["step"] = 7L }, // 4 MiB
        });
        var source = new RecordingSource(bytes, preferredReadSize: 4 * MiB);

        using CheckpointReader reader = Msgpack.Open(source);
        (long Offset, int Count)[] indexReads = [.. source.Reads];
        source.ResetCounts();
        NdArray weight = reader.ReadArray("layer/weight");

        // A window of 4 MiB holds the header of "big"; past its payload, one from the page of the next header holds
        // "layer" and the header of "weight"; the last bytes ("step") come in one more. Then the array: one read.
        long afterBig = reader["big"].ByteOffset + reader["big"].ByteLength;
        long lastPage = bytes.Length / 4096 * 4096;
        Assert.Equal([(0, 4 * MiB), (afterBig / 4096 * 4096, 4 * MiB), (lastPage, bytes.Length - (int)lastPage)], indexReads);
        Assert.Equal([(reader["layer/weight"].ByteOffset, 4 * MiB)], source.Reads);
        Assert.Equal(MiB, weight.Length);
        Assert.Equal(7L, ((StateValue)reader.ReadTree("layer/step")).Value);
    }

    [Fact]
    public void Open_ManySmallArrays_IndexInOneRead()
    {
        var tree = new Dictionary<string, object>();
        for (int i = 0; i < 1000; i++)
        {
            tree[$"layer{i}"] = new Dictionary<string, object> { ["weight"] = new float[64], ["bias"] = new float[8] };
        }

        byte[] bytes = Msgpack.Serialize(tree);
        var source = new RecordingSource(bytes, preferredReadSize: 4 * MiB);

        using CheckpointReader reader = Msgpack.Open(source);

        Assert.True(bytes.Length < 4 * MiB);
        Assert.True(1 == source.ReadCount, string.Join(", ", source.Reads) + $" of {bytes.Length}");
        Assert.Equal(2000, reader.Root.Children.Sum(layer => layer.Children.Count));
    }

    [Fact]
    public void ReadTreeAndReadMatching_ManySmallArrays_ReadTogether()
    {
        var tree = new Dictionary<string, object>();
        for (int i = 0; i < 200; i++)
        {
            tree[$"layer{i}"] = new Dictionary<string, object> { ["weight"] = Enumerable.Range(0, 64).Select(v => (float)(v + i)).ToArray(), ["bias"] = new float[8] };
        }

        byte[] bytes = Msgpack.Serialize(tree);
        var source = new RecordingSource(bytes, preferredReadSize: 4 * MiB);
        using CheckpointReader reader = Msgpack.Open(source);
        source.ResetCounts();

        StateNode all = reader.ReadTree();
        int treeReads = source.ReadCount;
        source.ResetCounts();
        StateNode some = reader.ReadMatching(new Dictionary<string, object> { ["layer3"] = new Dictionary<string, object> { ["weight"] = new float[64] }, ["layer150"] = new Dictionary<string, object>() });

        Assert.Equal(1, treeReads); // 400 arrays, one read: the index read them already, but a window is not kept.
        Assert.Equal(1, source.ReadCount);
        TreeAssert.Equal(Msgpack.Deserialize(bytes), all);
        Assert.Equal(Enumerable.Range(0, 64).Select(v => (float)(v + 3)).ToArray(), ((NdArray)((StateValue)((StateMap)((StateMap)some)["layer3"])["weight"]).Value!).ToArray<float>());
    }

    [Fact]
    public void ReadArray_LargeArray_ReadInPreferredBlocksAtOnce()
    {
        var big = NdArray.FromArray(Enumerable.Range(0, 8 * MiB).Select(i => (float)i).ToArray()); // 32 MiB
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["big"] = big });
        var source = new RecordingSource(bytes, preferredReadSize: 4 * MiB, maxConcurrentReads: 8);

        using CheckpointReader reader = Msgpack.Open(source);
        source.ResetCounts();
        NdArray read = reader.ReadArray("big");

        // 32 MiB over 8 readers: blocks of 4 MiB (never below the preferred size), all eight in flight.
        Assert.Equal(8, source.ReadCount);
        Assert.All(source.Reads, r => Assert.Equal(4 * MiB, r.Count));
        Assert.Equal(big.ToArray<float>(), read.ToArray<float>());
    }

    [Fact]
    public void Load_SourceWithManyConcurrentReads_WholeCheckpointInNewMemory()
    {
        var big = NdArray.FromArray(Enumerable.Range(0, 6 * MiB).Select(i => (float)i).ToArray()); // 24 MiB
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["big"] = big, ["step"] = 3L });
        using var source = new RecordingSource(bytes, preferredReadSize: MiB, maxConcurrentReads: 16) { MaxBytesPerRead = 300_000 };

        StateNode loaded = Msgpack.Load(source);

        Assert.Equal(big.ToArray<float>(), ((NdArray)((StateValue)((StateMap)loaded)["big"]).Value!).ToArray<float>());
        Assert.Equal(bytes.Length, source.BytesServed); // Each byte read once: the prefix check is not read again.
    }

    [Fact]
    public void Open_ChunkedArray_JoinedFromTheSource()
    {
        var array = NdArray.FromArray(Enumerable.Range(0, 1000).Select(i => (double)i).ToArray());
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["a"] = array }, MsgpackOptions.Default with { MaxChunkSize = 640 });

        using CheckpointReader reader = Msgpack.Open(new RecordingSource(bytes));

        Assert.Equal(array.ToArray<double>(), reader.ReadArray("a").ToArray<double>());
        Assert.Equal(array.ToArray<double>()[100..300], reader.ReadRows("a", 100, 200).ToArray<double>());
    }

    [Fact]
    public void LoadInto_Source_FillsTheTemplatesOwnArraysAndReadsOnlyThem()
    {
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object>
        {
            ["weight"] = new float[,] { { 1, 2 }, { 3, 4 } },
            ["unused"] = NdArray.Zeros(DType.Float32, new Shape(MiB)),
        });
        var weight = new float[2, 2];
        var model = new Dictionary<string, object> { ["weight"] = weight };
        using var source = new RecordingSource(bytes);

        var restored = Msgpack.LoadInto(source, model, Mismatch.Ignore);

        Assert.Same(weight, restored["weight"]);
        Assert.Equal(new float[,] { { 1, 2 }, { 3, 4 } }, weight);
        Assert.True(source.Reads.Sum(r => (long)r.Count) < MiB); // The unused 4 MiB array is not read.
        Assert.False(source.Disposed);
    }

    [Fact]
    public void LoadInto_ManySmallArraysInOneWindow_ReadTogetherInOneRead()
    {
        var tree = new Dictionary<string, object>();
        var template = new Dictionary<string, Dictionary<string, float[]>>();
        for (int i = 0; i < 200; i++)
        {
            tree[$"layer{i}"] = new Dictionary<string, object> { ["weight"] = Enumerable.Range(i, 64).Select(v => (float)v).ToArray(), ["bias"] = new float[] { i, -i } };
            template[$"layer{i}"] = new Dictionary<string, float[]> { ["weight"] = new float[64], ["bias"] = new float[2] };
        }

        byte[] bytes = Msgpack.Serialize(tree);
        using var source = new RecordingSource(bytes, preferredReadSize: 4 * MiB);

        Msgpack.LoadInto(source, template);

        // One read of the index (it all fits in 4 MiB), then the 400 arrays, small and close together, in one read
        // rather than one each (a round trip each on object storage).
        Assert.True(source.ReadCount == 2, string.Join(", ", source.Reads));
        Assert.Equal(Enumerable.Range(7, 64).Select(v => (float)v).ToArray(), template["layer7"]["weight"]);
        Assert.Equal(new float[] { 199, -199 }, template["layer199"]["bias"]);
    }

    [Fact]
    public void LoadInto_SmallArraysFarApart_EachReadOnItsOwn()
    {
        // Between the two small arrays lies one of 1 MiB the template does not ask for: within one preferred read of
        // 8 MiB, but far more than the arrays wanted, so it is not read to join them.
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object>
        {
            ["a"] = new float[] { 1, 2 },
            ["big"] = NdArray.Zeros(DType.Float32, new Shape(MiB / 4)),
            ["b"] = new float[] { 3, 4 },
        });
        var template = new Dictionary<string, float[]> { ["a"] = new float[2], ["b"] = new float[2] };
        using var source = new RecordingSource(bytes, preferredReadSize: 8 * MiB);

        Msgpack.LoadInto(source, template, Mismatch.Ignore);

        Assert.Equal(new float[] { 1, 2 }, template["a"]);
        Assert.Equal(new float[] { 3, 4 }, template["b"]);
        (long Offset, int Count)[] reads = [.. source.Reads];
        Assert.True(reads.Length == 3 && reads[1..].All(r => r.Count == 8), string.Join(", ", reads)); // The index, then each array.
    }

    [Fact]
    public void Checksum_SourceWithConcurrentReads_ReadsAheadAndHashesInOrder()
    {
        byte[] bytes = Enumerable.Range(0, 9 * MiB + 123).Select(i => (byte)(i * 31 % 251)).ToArray();
        string expected = "xxh3-64:" + System.IO.Hashing.XxHash3.HashToUInt64(bytes).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        using var source = new RecordingSource(bytes, preferredReadSize: MiB, maxConcurrentReads: 4) { FirstReadWaitsForInFlight = 3, MaxBytesPerRead = 300_000 };

        var reported = new List<long>();
        string checksum = FileChecksum.Compute(source, new ReportingProgress(reported.Add));

        Assert.Equal(expected, checksum);
        Assert.Equal(bytes.Length, source.BytesServed);
        Assert.Equal(bytes.Length, reported.Sum());
    }

    [Fact]
    public void SafetensorsOpen_Source_HeaderInTwoReadsThenOneReadPerTensor()
    {
        using var dir = new TempDirectory();
        var tree = new StateMap { { "big", NdArray.Zeros(DType.Float32, new Shape(MiB)) }, { "layer", new StateMap { { "w", NdArray.FromArray(new float[] { 1, 2, 3 }) } } } };
        Safetensors.Save(dir.File("m.safetensors"), tree);
        var source = new RecordingSource(File.ReadAllBytes(dir.File("m.safetensors")), preferredReadSize: 4 * MiB) { Name = "https://acct.blob.core.windows.net/c/m.safetensors" };

        using (SafetensorsReader reader = Safetensors.Open(source))
        {
            int headerReads = source.ReadCount;
            source.ResetCounts();
            NdArray w = reader.ReadArray("layer.w");

            Assert.Equal(2, headerReads); // The length, then the JSON.
            Assert.Equal([(reader["layer.w"].ByteOffset, 12)], source.Reads);
            Assert.Equal(new float[] { 1, 2, 3 }, w.ToArray<float>());
            Assert.Equal(source.Name, reader.FilePath);
        }

        Assert.True(source.Disposed);
    }

    [Fact]
    public void Open_Dispose_DisposesTheSource()
    {
        var source = new RecordingSource(Msgpack.Serialize(new Dictionary<string, object> { ["a"] = 1L }));

        Msgpack.Open(source).Dispose();

        Assert.True(source.Disposed);
    }

    [Fact]
    public void Open_InvalidData_ErrorNamesTheSourceAndDisposesIt()
    {
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["a"] = "text" });
        var source = new RecordingSource(bytes[..^2]) { Name = "https://account.blob.core.windows.net/c/step_1.msgpack" };

        var error = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(source));

        Assert.Equal(source.Name, error.FilePath);
        Assert.Equal("./a", error.TreePath);
        Assert.True(source.Disposed);
    }

    [Fact]
    public void Load_SourceFailsMidway_TheSourcesErrorComesThrough()
    {
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["big"] = NdArray.Zeros(DType.Float32, new Shape(4 * MiB)) });
        using var source = new RecordingSource(bytes, preferredReadSize: MiB, maxConcurrentReads: 4) { FailFromRead = 1 };

        var error = Assert.Throws<IOException>(() => Msgpack.Load(source));

        Assert.Contains("connection reset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptySource_InvalidCheckpoint()
    {
        var error = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(new RecordingSource([])));

        Assert.Equal("the data is empty", error.Reason);
    }

    [Fact]
    public void Open_LongValuesAcrossWindows_SameTreeAsAFullLoad()
    {
        // Strings, bytes, scalars and arrays of every size around the 4 KiB window, so values start, end and
        // straddle window ends everywhere; keys of every length too.
        var tree = new Dictionary<string, object>();
        var random = new Random(7);
        for (int i = 0; i < 120; i++)
        {
            string key = new('k', 1 + (i * 37 % 300));
            tree[$"{i}{key}"] = (i % 5) switch
            {
                0 => new string((char)('a' + (i % 26)), random.Next(1, 9000)),
                1 => Enumerable.Range(0, random.Next(0, 9000)).Select(b => (byte)b).ToArray(),
                2 => NdArray.FromArray(Enumerable.Range(0, random.Next(0, 3000)).Select(v => (float)v).ToArray()),
                3 => NumpyScalar.Create(i * 0.5),
                _ => new System.Numerics.Complex(i, -i),
            };
        }

        byte[] bytes = Msgpack.Serialize(tree);

        using CheckpointReader reader = Msgpack.Open(new RecordingSource(bytes) { MaxBytesPerRead = 777 });

        TreeAssert.Equal(Msgpack.Deserialize(bytes), reader.ReadTree());
    }
}
