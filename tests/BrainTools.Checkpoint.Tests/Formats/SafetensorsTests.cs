using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace BrainTools.Checkpoint.Tests.Formats;

public class SafetensorsTests
{
    private static StateMap EveryDType()
    {
        var random = new Random(11);
        var arrays = new StateMap();
        foreach (DType dtype in DType.All.Where(d => d != DType.Complex128))
        {
            byte[] bytes = new byte[3 * dtype.ItemSize];
            random.NextBytes(bytes);
            if (dtype == DType.Bool)
            {
                bytes = [1, 0, 1];
            }

            arrays.Add(dtype.Name, NdArray.FromBytes(dtype, new Shape(3), bytes));
        }

        return new StateMap
        {
            { "arrays", arrays },
            { "matrix", NdArray.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }) },
            { "empty_array", NdArray.Zeros(DType.Float32, new Shape(0, 3)) },
            { "config", new StateMap { { "lr", 0.001 }, { "one", 1.0 }, { "steps", 1000L }, { "big", ulong.MaxValue }, { "act", "relu ∂ \"q\"" }, { "flag", false }, { "none", StateValue.Null }, { "nan", double.NaN }, { "empty", new StateMap() } } },
        };
    }

    [Fact]
    public void SaveLoad_EveryDTypeAndMetadataValue_RoundTripsBitForBit()
    {
        using var temp = new TempDirectory();
        StateMap tree = EveryDType();

        ConversionReport report = Safetensors.Save(temp.File("m.safetensors"), tree);
        StateNode loaded = Safetensors.Load(temp.File("m.safetensors"));

        Assert.Empty(report.Notes);
        Assert.True(tree.DeepEquals(Reorder(loaded, tree)), loaded.ToString());
    }

    [Fact]
    public void Save_Complex64_WritesC64()
    {
        using var temp = new TempDirectory();
        NdArray z = NdArray.FromArray(new Complex64[] { new(1, 2), new(-3, 0.5f) }, new Shape(2));

        Safetensors.Save(temp.File("z.safetensors"), new StateMap { { "z", z } });

        using SafetensorsReader reader = Safetensors.Open(temp.File("z.safetensors"));
        Assert.Equal(DType.Complex64, reader["z"].DType);
        Assert.Contains("\"dtype\":\"C64\"", HeaderText(temp.File("z.safetensors")), StringComparison.Ordinal);
        Assert.True(z.Equals(reader.ReadArray("z")));
    }

    [Fact]
    public void Save_Complex128WithoutAllowLossy_ThrowsAndWritesNothing()
    {
        using var temp = new TempDirectory();
        var tree = new StateMap { { "z", NdArray.Zeros(DType.Complex128, new Shape(2)) }, { "w", NdArray.Zeros(DType.Float32, new Shape(2)) } };

        LossyConversionException e = Assert.Throws<LossyConversionException>(() => Safetensors.Save(temp.File("z.safetensors"), tree));

        Assert.False(File.Exists(temp.File("z.safetensors")));
        Assert.Empty(Directory.GetFiles(temp.Path));
        ConversionNote note = Assert.Single(e.Report.Notes);
        Assert.Equal(new ConversionNote("./z", "safetensors has no complex128 dtype (C64 holds complex64 only)", true), note);
        Assert.Equal("./z", e.TreePath);
    }

    [Fact]
    public void Save_AllowLossy_WritesTheRestAndListsWhatWasLeftOut()
    {
        using var temp = new TempDirectory();
        var tree = new StateMap { { "z", NdArray.Zeros(DType.Complex128, new Shape(2)) }, { "w", NdArray.Zeros(DType.Float32, new Shape(2)) } };

        ConversionReport report = Safetensors.Save(temp.File("z.safetensors"), tree, options: new TensorFileOptions { AllowLossy = true });

        Assert.True(report.HasDropped);
        Assert.Equal(["w"], Safetensors.Load(temp.File("z.safetensors")).AsMap().Keys);
    }

    [Fact]
    public void Open_ReadsOnlyTheHeaderThenOneTensorsBytes()
    {
        using var temp = new TempDirectory();
        var big = NdArray.Zeros(DType.Float32, new Shape(1 << 20));
        var small = NdArray.FromArray(new float[] { 1, 2, 3 }, new Shape(3));
        Safetensors.Save(temp.File("m.safetensors"), new StateMap { { "big", big }, { "layer", new StateMap { { "small", small } } } });
        long header = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(temp.File("m.safetensors")).AsSpan(0, 8));

        using SafetensorsReader reader = Safetensors.Open(temp.File("m.safetensors"));
        long afterOpen = reader.BytesRead;
        NdArray read = reader.ReadArray("layer.small");

        Assert.Equal(header, afterOpen);
        Assert.Equal(header + small.ByteLength, reader.BytesRead);
        Assert.True(small.Equals(read));
        Assert.Equal(["big", "layer.small"], reader.Tensors.Select(t => t.Name));
        Assert.Equal("./layer/small", reader["layer.small"].Path);
    }

    [Fact]
    public void ReadTreeOnFirstUse_ReadsEachArrayWhenFirstReadAndOnlyThen()
    {
        using var temp = new TempDirectory();
        var big = NdArray.FromArray(Enumerable.Range(0, 1 << 16).Select(i => (float)i).ToArray());
        var small = NdArray.FromArray(new float[] { 1, 2, 3 }, new Shape(3));
        Safetensors.Save(temp.File("m.safetensors"), new StateMap { { "big", big }, { "layer", new StateMap { { "small", small } } }, { "lr", 0.5 } });
        StateNode eager = Safetensors.Load(temp.File("m.safetensors"));

        SafetensorsReader reader = Safetensors.Open(temp.File("m.safetensors"));
        long header = reader.BytesRead;
        StateNode lazy = reader.ReadTree(readOnFirstUse: true);
        NdArray lazySmall = (NdArray)((StateValue)((StateMap)((StateMap)lazy)["layer"])["small"]).Value!;
        long beforeUse = reader.BytesRead;
        float[] values = lazySmall.ToArray<float>();
        long afterSmall = reader.BytesRead;
        _ = lazySmall.ToArray<float>();
        NdArray lazyBig = (NdArray)((StateValue)((StateMap)lazy)["big"]).Value!;
        reader.Dispose();

        Assert.Equal(header, beforeUse);
        Assert.Equal(header + small.ByteLength, afterSmall);
        Assert.Equal(afterSmall, reader.BytesRead); // The second use reads nothing.
        Assert.Equal(new float[] { 1, 2, 3 }, values);
        Assert.Equal(big.Shape, lazyBig.Shape);
        Assert.Throws<ObjectDisposedException>(() => lazyBig.ToArray<float>()); // Not read before the reader closed.
        Assert.Equal(0.5, ((StateValue)((StateMap)lazy)["lr"]).Value);
        Assert.Equal(((StateMap)eager).Keys, ((StateMap)lazy).Keys);
    }

    [Fact]
    public void SaveAndLoad_Progress_ReportsEveryByteOnce()
    {
        using var temp = new TempDirectory();
        StateMap tree = EveryDType();
        var written = new Counter();
        var read = new Counter();

        Safetensors.Save(temp.File("m.safetensors"), tree, options: new TensorFileOptions { Progress = written });
        Safetensors.Load(temp.File("m.safetensors"), new TensorFileOptions { Progress = read });

        long length = new FileInfo(temp.File("m.safetensors")).Length;
        Assert.Equal(length, written.Total);
        Assert.Equal(length, read.Total);
    }

    [Fact]
    public void Save_ExistingFileWithoutOverwrite_ThrowsAndKeepsIt()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("m.safetensors"), "keep");

        Assert.Throws<CheckpointConflictException>(() => Safetensors.Save(temp.File("m.safetensors"), new StateMap { { "a", 1L } }, overwrite: false));

        Assert.Equal("keep", File.ReadAllText(temp.File("m.safetensors")));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Safetensors.Load("no/such.safetensors"));

        Assert.Equal("Checkpoint not found: no/such.safetensors", e.Message);
    }

    [Theory]
    [InlineData("invalid_utf8_header.safetensors", "the header is not valid UTF-8", ".")]
    [InlineData("header_length_too_large.safetensors", "the header claims 1099511627776 bytes", ".")]
    [InlineData("not_contiguous.safetensors", "tensor 'b' starts at 4, but the previous data ends at 8", "./b")]
    [InlineData("duplicate_name.safetensors", "the name 'w' appears twice in the header", "./w")]
    [InlineData("deep_name.safetensors", "nests deeper than 1000 levels", "./a/a/a/a/a/a/a/a/...(985 more)/a/a/a/a/a/a/a/a")]
    [InlineData("value_and_group.safetensors", "'a.b' lies under 'a', which is a value, not a group", "./a")]
    public void Load_DamagedFile_ThrowsInvalidCheckpointNamingFileAndTreePath(string name, string reason, string treePath)
    {
        string path = FormatData.File(name);

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Safetensors.Load(path));

        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(treePath, e.TreePath);
    }

    [Fact]
    public void Load_EveryTruncationOfAGoodFile_ThrowsInvalidCheckpointOnly()
    {
        using var temp = new TempDirectory();
        byte[] good = File.ReadAllBytes(FormatData.File("good.safetensors"));
        Assert.NotNull(Safetensors.Load(FormatData.File("good.safetensors")));
        for (int length = 0; length < good.Length; length++)
        {
            string path = temp.File($"cut{length}.safetensors");
            File.WriteAllBytes(path, good.AsSpan(0, length).ToArray());

            InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Safetensors.Load(path));

            Assert.Equal(path, e.FilePath);
        }
    }

    [Fact]
    public void Load_EveryByteFlipOfAGoodFile_LoadsOrThrowsOnlyTheLibrarysError()
    {
        using var temp = new TempDirectory();
        byte[] good = File.ReadAllBytes(FormatData.File("good.safetensors"));
        string path = temp.File("flipped.safetensors");
        foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
        {
            for (int i = 0; i < good.Length; i++)
            {
                byte[] flipped = good.ToArray();
                flipped[i] ^= mask;
                File.WriteAllBytes(path, flipped);
                try
                {
                    Safetensors.Load(path);
                }
                catch (InvalidCheckpointException e)
                {
                    Assert.Equal(path, e.FilePath);
                    Assert.NotNull(e.TreePath);
                }
            }
        }
    }

    [Fact]
    public void Save_FollowsTheFormatRules_AlignedPaddedContiguous()
    {
        using var temp = new TempDirectory();
        Safetensors.Save(temp.File("m.safetensors"), EveryDType());
        byte[] file = File.ReadAllBytes(temp.File("m.safetensors"));
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);

        Assert.Equal(0, (8 + n) % 8);
        using JsonDocument header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)n));
        foreach (JsonProperty tensor in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            long begin = tensor.Value.GetProperty("data_offsets")[0].GetInt64();
            string dtypeName = tensor.Value.GetProperty("dtype").GetString()!;
            int itemSize = dtypeName switch { "F64" or "I64" or "U64" or "C64" => 8, "F32" or "I32" or "U32" => 4, "F16" or "BF16" or "I16" or "U16" => 2, _ => 1 };
            Assert.Equal(0, begin % itemSize);
        }
    }

    private static string HeaderText(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        return Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));
    }

    // safetensors keeps metadata apart from tensors: put the keys back in the original's order to compare.
    private static StateNode Reorder(StateNode loaded, StateNode like)
    {
        if (loaded is not StateMap map || like is not StateMap order || order.Count == 0)
        {
            return loaded;
        }

        var result = new StateMap();
        foreach (KeyValuePair<string, StateNode> item in order)
        {
            if (map.TryGetValue(item.Key, out StateNode? child))
            {
                result.Add(item.Key, Reorder(child, item.Value));
            }
        }

        return result;
    }

    private sealed class Counter : IProgress<long>
    {
        public long Total { get; private set; }

        public void Report(long value) => Total += value;
    }
}
