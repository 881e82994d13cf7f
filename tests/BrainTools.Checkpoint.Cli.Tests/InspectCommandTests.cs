using System.Text.Json;

namespace BrainTools.Checkpoint.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public void Inspect_SeedBasic_ListsEveryLeafWithDTypeShapeAndTotals()
    {
        Ckpt.Result result = Ckpt.Run("inspect", Vectors.File("seed_basic"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Error);
        string[] lines = result.Lines;
        Assert.Matches(@"^weights\s+ndarray\s+float32\s+\(2, 2\)\s+16 B\s+1\s+4\s+2\.5\s+0$", lines.Single(l => l.StartsWith("weights", StringComparison.Ordinal)));
        Assert.Matches(@"^bias\s+ndarray\s+float32\s+\(2,\)\s+8 B\s+0\.1\s+0\.2\s+0\.15\s+0$", lines.Single(l => l.StartsWith("bias", StringComparison.Ordinal)));
        Assert.Matches(@"^config/learning_rate\s+float\s+float\s+\(\)\s+8 B\s+0\.001$", lines.Single(l => l.StartsWith("config/learning_rate", StringComparison.Ordinal)));
        Assert.Matches(@"^config/batch_size\s+int\s+int\s+\(\)\s+8 B\s+32$", lines.Single(l => l.StartsWith("config/batch_size", StringComparison.Ordinal)));
        Assert.Equal("4 leaves, 6 parameters, 40 B", lines[^1]);
    }

    [Fact]
    public void Inspect_Physics_ShowsQuantitiesWithTheirUnit()
    {
        Ckpt.Result result = Ckpt.Run("inspect", Vectors.File("seed_physics"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.StartsWith("time_constant", StringComparison.Ordinal) && l.Contains("quantity") && l.EndsWith("10 ms", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("resistance", StringComparison.Ordinal) && l.EndsWith("100 mohm", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("capacitance", StringComparison.Ordinal) && l.EndsWith("200 pF", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("voltage_threshold", StringComparison.Ordinal) && l.EndsWith("-50 mV", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("trace", StringComparison.Ordinal) && l.Contains("float32") && l.EndsWith("in mV", StringComparison.Ordinal));
    }

    [Fact]
    public void Inspect_QuantityMaps_ShownAsTheLibraryReadsThemAndMalformedOnesAsPlainMaps()
    {
        using var temp = new TempDirectory();
        string path = temp.File("quantities.msgpack");
        StateMap older = Vectors.Quantity(20L, -3, 0, 0, 1);
        older.Remove("factor");
        var shortDim = new StateMap { { "mantissa", 1.0 }, { "scale", 0L }, { "base", 10.0 }, { "dim", NdArray.FromArray(new long[] { 1, 0, 0 }, new Shape(3)) }, { "factor", 1.0 } };
        StateMap moreKeys = Vectors.Quantity(2.0, 0, 1);
        moreKeys.Add("note", "x");
        Msgpack.Save(path, new StateMap
        {
            { "older", older },
            { "unnamed", Vectors.Quantity(3.0, -2, 0, 0, 1) },
            { "short_dim", shortDim },
            { "more_keys", moreKeys },
        });

        Ckpt.Result result = Ckpt.Run("inspect", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        // brainunit before factors wrote no factor; an int mantissa reads as the library's float.
        Assert.Matches(@"^older\s+quantity\s+int\s+\(\)\s+8 B\s+20 ms$", result.Lines.Single(l => l.StartsWith("older", StringComparison.Ordinal)));
        Assert.Matches(@"^unnamed\s+quantity\s+float\s+\(\)\s+8 B\s+3 10\.0\^-2 \* s$", result.Lines.Single(l => l.StartsWith("unnamed", StringComparison.Ordinal)));
        Assert.Equal(["short_dim/mantissa", "short_dim/scale", "short_dim/base", "short_dim/dim", "short_dim/factor"], result.Lines.Where(l => l.StartsWith("short_dim", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));
        Assert.Equal(["more_keys/mantissa", "more_keys/scale", "more_keys/base", "more_keys/dim", "more_keys/factor", "more_keys/note"], result.Lines.Where(l => l.StartsWith("more_keys", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]));
        Assert.Equal("13 leaves, 10 parameters, 161 B", result.Lines[^1]);
    }

    [Fact]
    public void Inspect_Json_GivesStatisticsOfAFileTheTestWrote()
    {
        using var temp = new TempDirectory();
        string path = temp.File("stats.msgpack");
        float[] values = [1f, 2f, float.NaN, 6f, -3f];
        Msgpack.Save(path, new StateMap
        {
            { "w", NdArray.FromArray(values, new Shape(5)) },
            { "tau", Vectors.Quantity(10.0, -3, 0, 0, 1) },
            { "name", "relu" },
        });

        Ckpt.Result result = Ckpt.Run("inspect", path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        JsonElement[] leaves = json.RootElement.GetProperty("leaves").EnumerateArray().ToArray();
        JsonElement w = leaves.Single(l => l.GetProperty("path").GetString() == "w");
        float[] finite = values.Where(v => !float.IsNaN(v)).ToArray();
        Assert.Equal("float32", w.GetProperty("dtype").GetString());
        Assert.Equal([5], w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(finite.Min(), w.GetProperty("min").GetDouble());
        Assert.Equal(finite.Max(), w.GetProperty("max").GetDouble());
        Assert.Equal(finite.Average(v => (double)v), w.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(values.Count(float.IsNaN), w.GetProperty("nan_count").GetInt32());
        JsonElement tau = leaves.Single(l => l.GetProperty("path").GetString() == "tau");
        Assert.Equal("quantity", tau.GetProperty("type").GetString());
        Assert.Equal("ms", tau.GetProperty("unit").GetString());
        Assert.Equal(10.0, tau.GetProperty("value").GetDouble());
        Assert.Equal("relu", leaves.Single(l => l.GetProperty("path").GetString() == "name").GetProperty("value").GetString());
        JsonElement totals = json.RootElement.GetProperty("totals");
        Assert.Equal(3, totals.GetProperty("leaves").GetInt32());
        Assert.Equal(5, totals.GetProperty("parameters").GetInt64());
        Assert.Equal((5 * 4) + 8 + 4, totals.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void Inspect_Depth_SumsDeeperLeavesIntoOneRowPerGroup()
    {
        Ckpt.Result result = Ckpt.Run("inspect", Vectors.File("seed_original"), "--depth", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^layer1/\s+group\s+.*2 leaves, 18 parameters$", result.Lines.Single(l => l.StartsWith("layer1", StringComparison.Ordinal)));
        Assert.Matches(@"^layer2/\s+group\s+.*2 leaves, 8 parameters$", result.Lines.Single(l => l.StartsWith("layer2", StringComparison.Ordinal)));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("layer1/weights", StringComparison.Ordinal));
        Assert.Equal("5 leaves, 26 parameters, 112 B", result.Lines[^1]);
    }

    [Theory]
    [InlineData("weights", new[] { "layer1/weights", "layer2/weights" })]
    [InlineData("layer2/**", new[] { "layer2/weights", "layer2/bias" })]
    [InlineData("*/b*", new[] { "layer1/bias", "layer2/bias" })]
    public void Inspect_Filter_ShowsOnlyMatchingLeaves(string glob, string[] expected)
    {
        Ckpt.Result result = Ckpt.Run("inspect", Vectors.File("seed_original"), "--filter", glob, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(expected, json.RootElement.GetProperty("leaves").EnumerateArray().Select(l => l.GetProperty("path").GetString()));
    }

    [Fact]
    public void Inspect_MissingFile_OneLineErrorExit1()
    {
        Ckpt.Result result = Ckpt.Run("inspect", "no/such/file.msgpack");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Out);
        Assert.Equal("ckpt: file not found: no/such/file.msgpack", result.Error.TrimEnd());
    }

    [Fact]
    public void Inspect_Directory_OneLineErrorExit1()
    {
        using var temp = new TempDirectory();

        Ckpt.Result result = Ckpt.Run("inspect", temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.Contains("is a directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_CorruptFile_OneLineErrorNamingReasonAndPath()
    {
        string path = Path.Combine(InteropDirectory.Corrupt, "truncated_half.msgpack");

        Ckpt.Result result = Ckpt.Run("inspect", path);

        Assert.Equal(1, result.ExitCode);
        Ckpt.NoStackTrace(result);
        string line = Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.StartsWith($"ckpt: Invalid checkpoint {path}: ", line, StringComparison.Ordinal);
        Assert.Contains("at path ./", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("inspect", "a.msgpack", "--depth", "-1")]
    [InlineData("inspect", "a.msgpack", "--depth", "x")]
    [InlineData("inspect", "a.msgpack", "--bogus")]
    public void Inspect_BadCommandLine_Exit2(params string[] args)
    {
        Ckpt.Result result = Ckpt.Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ckpt: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
    }
    // Issue 11: inspect goes through the lazy reader and reads only the arrays whose statistics it shows, each once.
    [Fact]
    public void Inspect_Filter_ReadsTheIndexAndOnlyTheShownArraysOnce()
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.msgpack");
        (NdArray big, NdArray small) = BigAndSmall();
        Msgpack.Save(path, EncoderAndHead(big, small).Set("head", new StateMap { { "small", small }, { "step", 3L } }));
        long fileSize = new FileInfo(path).Length;

        Ckpt.Result filtered = Ckpt.Run("inspect", path, "--filter", "head/**", "--json");
        Ckpt.Result grouped = Ckpt.Run("inspect", path, "--depth", "0", "--json");
        Ckpt.Result all = Ckpt.Run("inspect", path, "--json");

        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        long filteredRead = BytesRead(filtered);
        long groupedRead = BytesRead(grouped);
        long allRead = BytesRead(all);
        // The index pass reads headers in windows of 4 KiB; the 16 MiB array is read only when its row is shown.
        Assert.InRange(filteredRead, small.ByteLength, 64 << 10);
        Assert.InRange(groupedRead, 0, 64 << 10);
        Assert.InRange(allRead, big.ByteLength + small.ByteLength, fileSize + (64 << 10));
        Assert.True(allRead - filteredRead < fileSize, $"read {allRead} bytes of a {fileSize}-byte file: some array twice");
    }

    [Fact]
    public void Inspect_SafetensorsFilter_ReadsTheHeaderAndOnlyTheShownArraysOnce()
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.safetensors");
        (NdArray big, NdArray small) = BigAndSmall();
        Safetensors.Save(path, EncoderAndHead(big, small));
        long header = 8 + (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8));

        Ckpt.Result filtered = Ckpt.Run("inspect", path, "--filter", "head/**", "--json");
        Ckpt.Result all = Ckpt.Run("inspect", path, "--json");
        Ckpt.Result table = Ckpt.Run("inspect", path);

        Assert.Equal(header + small.ByteLength, BytesRead(filtered));
        Assert.Equal(header + small.ByteLength + big.ByteLength, BytesRead(all));
        AssertShowsSmall(table);
    }

    [Fact]
    public void Inspect_NpzFilter_ReadsTheDirectoryTheHeadersAndOnlyTheShownArraysOnce()
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.npz");
        (NdArray big, NdArray small) = BigAndSmall();
        Npz.Save(path, EncoderAndHead(big, small));
        long fileSize = new FileInfo(path).Length;
        long bigMember;
        using (System.IO.Compression.ZipArchive zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            bigMember = zip.GetEntry("encoder/big.npy")!.CompressedLength;
        }

        Ckpt.Result filtered = Ckpt.Run("inspect", path, "--filter", "head/**", "--json");
        Ckpt.Result all = Ckpt.Run("inspect", path, "--json");
        Ckpt.Result table = Ckpt.Run("inspect", path);

        long filteredRead = BytesRead(filtered);
        long allRead = BytesRead(all);

        // The zip directory and each member's .npy header, read in windows of a page: never the 16 MiB member.
        Assert.InRange(filteredRead, small.ByteLength, 16 << 10);
        // Showing the big array inflates its member once (at most a page more: the window of the small one read again).
        Assert.InRange(allRead - filteredRead, bigMember, bigMember + 4096);
        Assert.True(allRead < fileSize + (16 << 10), $"read {allRead} bytes of a {fileSize}-byte file: some array twice");
        AssertShowsSmall(table);
        using JsonDocument json = JsonDocument.Parse(filtered.Out);
        JsonElement leaf = Assert.Single(json.RootElement.GetProperty("leaves").EnumerateArray());
        Assert.Equal("head/small", leaf.GetProperty("path").GetString());
        Assert.Equal(4, leaf.GetProperty("max").GetDouble());
    }

    // The trees of the "reads only the shown arrays" tests: a 16 MiB array under encoder, a 16-byte one under head.
    private static (NdArray Big, NdArray Small) BigAndSmall() =>
        (NdArray.Zeros(DType.Float32, new Shape(4 << 20)), NdArray.FromArray(new float[] { 1, 2, 3, 4 }, new Shape(4)));

    private static StateMap EncoderAndHead(NdArray big, NdArray small) =>
        new() { { "encoder", new StateMap { { "big", big } } }, { "head", new StateMap { { "small", small } } } };

    private static void AssertShowsSmall(Ckpt.Result table)
    {
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(table.Lines, l => l.StartsWith("head/small", StringComparison.Ordinal) && l.Contains("float32", StringComparison.Ordinal));
    }

    private static long BytesRead(Ckpt.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        return json.RootElement.GetProperty("bytes_read").GetInt64();
    }
}
