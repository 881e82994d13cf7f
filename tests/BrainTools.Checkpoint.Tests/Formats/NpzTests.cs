using System.IO.Compression;

namespace BrainTools.Checkpoint.Tests.Formats;

public class NpzTests
{
    [Fact]
    public void SaveLoad_NumpyDTypesScalarsAndStrings_RoundTripWithEveryChangeNoted()
    {
        using var temp = new TempDirectory();
        var arrays = new StateMap();
        foreach (DType dtype in DType.All.Where(d => d.Name is not ("bfloat16" or "float8_e4m3fn" or "float8_e5m2")))
        {
            arrays.Add(dtype.Name, NdArray.Zeros(dtype, new Shape(2, 3)));
        }

        var tree = new StateMap { { "arrays", arrays }, { "step", 10L }, { "lr", 0.5 }, { "name", "relu ∂ 😀" }, { "empty_string", string.Empty } };

        ConversionReport report = Npz.Save(temp.File("m.npz"), tree);
        StateNode loaded = Npz.Load(temp.File("m.npz"));

        Assert.Equal(["./step: changed: an int, stored as a 0-d int64 array", "./lr: changed: a float, stored as a 0-d float64 array"], report.Notes.Select(n => n.ToString()));
        Assert.True(arrays.DeepEquals(loaded["arrays"]));
        Assert.Equal(10L, loaded["step"].AsArray().GetFlat<long>(0));
        Assert.Equal("relu ∂ 😀", (string?)loaded["name"]);
        Assert.Equal(string.Empty, (string?)loaded["empty_string"]);
    }

    [Fact]
    public void Open_ListsMembersAndReadsOnlyTheOneAskedFor()
    {
        using var temp = new TempDirectory();
        var tree = new StateMap
        {
            { "layers", new StateMap { { "0", new StateMap { { "weight", NdArray.FromArray(new float[] { 1, 2, 3, 4 }, new Shape(2, 2)) } } } } },
            { "big", NdArray.Zeros(DType.Float64, new Shape(1000)) },
        };
        Npz.Save(temp.File("m.npz"), tree);
        long read = 0;

        using NpzArchive archive = Npz.Open(temp.File("m.npz"), new TensorFileOptions { Progress = new ReportingProgress(n => read += n) });

        Assert.Equal(["layers/0/weight", "big"], archive.Members.Select(m => m.Name));
        Assert.Equal("./layers/0/weight", archive.Members[0].TreePath);
        Assert.Equal(0, read);
        NdArray weight = archive.ReadMember("./layers/0/weight").AsArray();
        Assert.Equal([1f, 2f, 3f, 4f], weight.ToArray<float>());
        Assert.Equal(archive.Members[0].CompressedLength, read);
        Assert.Throws<KeyNotFoundException>(() => archive.ReadMember("nope"));
        Assert.True(tree.DeepEquals(archive.ReadTree()));
    }

    [Fact]
    public void ReadMember_AfterDispose_ThrowsObjectDisposed()
    {
        using var temp = new TempDirectory();
        Npz.Save(temp.File("m.npz"), new StateMap { { "w", NdArray.Zeros(DType.Float32, new Shape(2)) } });
        NpzArchive archive = Npz.Open(temp.File("m.npz"));
        archive.Dispose();

        Assert.Throws<ObjectDisposedException>(() => archive.ReadMember("w"));
    }

    [Fact]
    public void Save_BFloat16_StoredAsFloat32Exactly()
    {
        using var temp = new TempDirectory();
        NdArray b = NdArray.FromArray(new float[] { 1.5f, -2f, 3.25f }, new Shape(3)).AsType(DType.BFloat16);

        ConversionReport report = Npz.Save(temp.File("b.npz"), new StateMap { { "b", b } });

        NdArray loaded = Npz.Load(temp.File("b.npz"))["b"].AsArray();
        Assert.Equal(DType.Float32, loaded.DType);
        Assert.Equal([1.5f, -2f, 3.25f], loaded.ToArray<float>());
        Assert.Equal("numpy has no bfloat16: stored as float32 (exactly)", Assert.Single(report.Notes).Message);
    }

    // Issue 13.6: `ckpt convert X out.npz --allow-lossy` on {"a": {"b": {}}, "x": 1} wrote nothing and failed.
    [Fact]
    public void Save_EmptyMapWithAllowLossy_WritesTheRestInOnePass()
    {
        using var temp = new TempDirectory();
        var tree = new StateMap { { "a", new StateMap { { "b", new StateMap() } } }, { "x", 1L } };

        ConversionReport report = Npz.Save(temp.File("out.npz"), tree, options: new TensorFileOptions { AllowLossy = true });

        Assert.Equal(["./a/b: dropped: an empty map (npz holds arrays only)", "./x: changed: an int, stored as a 0-d int64 array"], report.Notes.Select(n => n.ToString()));
        Assert.Equal(["x"], Npz.Load(temp.File("out.npz")).AsMap().Keys);
    }

    [Fact]
    public void Save_NoneWithoutAllowLossy_ThrowsAndWritesNothing()
    {
        using var temp = new TempDirectory();

        LossyConversionException e = Assert.Throws<LossyConversionException>(() => Npz.Save(temp.File("out.npz"), new StateMap { { "none", StateValue.Null } }));

        Assert.Empty(Directory.GetFiles(temp.Path));
        Assert.Equal("npz cannot hold None values without pickle", Assert.Single(e.Report.Notes).Message);
    }

    [Fact]
    public void Save_WritesStoredMembersNumpyCanMap()
    {
        using var temp = new TempDirectory();
        Npz.Save(temp.File("m.npz"), new StateMap { { "layers", new StateMap { { "w", NdArray.Zeros(DType.Float32, new Shape(4)) } } } });

        using ZipArchive zip = ZipFile.OpenRead(temp.File("m.npz"));
        ZipArchiveEntry entry = Assert.Single(zip.Entries);
        Assert.Equal("layers/w.npy", entry.FullName);
        Assert.Equal(entry.Length, entry.CompressedLength);
    }

    [Fact]
    public void Load_StringArrayMember_RefusedUnlessAllowLossyThenReported()
    {
        using var temp = new TempDirectory();
        string path = temp.File("s.npz");
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using Stream member = zip.CreateEntry("names.npy").Open();
            member.Write(FormatData.Npy("<U1", "(2,)", [0x61, 0, 0, 0, 0x62, 0, 0, 0]));
        }

        Assert.Throws<LossyConversionException>(() => Npz.Load(path));
        var report = new ConversionReport();
        StateNode loaded = Npz.Load(path, new TensorFileOptions { AllowLossy = true }, report);

        Assert.Empty(loaded.AsMap());
        Assert.Equal("./names", Assert.Single(report.Notes).Path);
    }

    [Theory]
    [InlineData("damaged_central_directory.npz", "the zip directory is damaged", ".")]
    [InlineData("bad_local_header.npz", "member 'w.npy': ", "./w")]
    [InlineData("truncated_member.npz", "member 'w.npy': float32 (1000,) needs 4000 bytes", "./w")]
    [InlineData("unknown_compression.npz", "member 'w.npy': ", "./w")]
    [InlineData("inflated_claim.npz", "member 'w.npy': it claims 4294967294 bytes from", "./w")]
    [InlineData("invalid_code_point.npz", "member 's.npy': the string holds 0000d800 at character 1, which is not a Unicode code point", "./s")]
    [InlineData("code_point_too_large.npz", "member 's.npy': the string holds 00110000 at character 0", "./s")]
    public void Load_DamagedArchive_ThrowsInvalidCheckpointNamingFileAndTreePath(string name, string reason, string treePath)
    {
        string path = FormatData.File(name);

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Npz.Load(path));

        Assert.StartsWith(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(treePath, e.TreePath);
    }

    [Fact]
    public void Load_EveryTruncationAndByteFlipOfAGoodArchive_ThrowsOnlyTheLibrarysErrors()
    {
        using var temp = new TempDirectory();
        byte[] good = File.ReadAllBytes(FormatData.File("good.npz"));
        Assert.Equal(2, Npz.Load(FormatData.File("good.npz")).AsMap().Count);
        List<byte[]> inputs = FormatData.TruncationsAndFlips(good);

        string path = temp.File("damaged.npz");
        foreach (byte[] input in inputs)
        {
            File.WriteAllBytes(path, input);
            try
            {
                Npz.Load(path);
            }
            catch (CheckpointException e)
            {
                Assert.Equal(path, e.FilePath);
            }
        }
    }

    [Fact]
    public void SaveAndLoad_Progress_ReportsMemberBytes()
    {
        using var temp = new TempDirectory();
        var tree = new StateMap { { "w", NdArray.Zeros(DType.Float64, new Shape(1000)) } };
        long written = 0, read = 0;

        Npz.Save(temp.File("m.npz"), tree, options: new TensorFileOptions { Progress = new ReportingProgress(v => written += v) });
        Npz.Load(temp.File("m.npz"), new TensorFileOptions { Progress = new ReportingProgress(v => read += v) });

        Assert.InRange(written, 8000, 8000 + 128);
        Assert.Equal(written, read);
    }
}
