namespace BrainTools.Checkpoint.Cli.Tests;

public class DiffCommandTests
{
    [Fact]
    public void Diff_SameFile_Exit0Equal()
    {
        Ckpt.Result result = Ckpt.Run("diff", Vectors.File("seed_complex_model"), Vectors.File("seed_complex_model"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("equal (exactly): ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_ValuesApart_Exit1WithMaxDifferencesUnlessWithinTolerance()
    {
        using var temp = new TempDirectory();
        double[] a = [1.0, 2.0, 4.0];
        double[] b = [1.0, 2.5, 4.0];
        Msgpack.Save(temp.File("a.msgpack"), new StateMap { { "w", NdArray.FromArray(a, new Shape(3)) } });
        Msgpack.Save(temp.File("b.msgpack"), new StateMap { { "w", NdArray.FromArray(b, new Shape(3)) } });
        double maxAbs = a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
        double maxRel = a.Zip(b).Max(p => Math.Abs(p.First - p.Second) / Math.Abs(p.Second));

        Ckpt.Result exact = Ckpt.Run("diff", temp.File("a.msgpack"), temp.File("b.msgpack"));
        Ckpt.Result loose = Ckpt.Run("diff", temp.File("a.msgpack"), temp.File("b.msgpack"), "--atol", (maxAbs * 1.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Ckpt.Result relative = Ckpt.Run("diff", temp.File("a.msgpack"), temp.File("b.msgpack"), "--rtol", (maxRel * 1.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exact.ExitCode == 1, exact.ToString());
        string line = exact.Lines.Single(l => l.StartsWith("values", StringComparison.Ordinal));
        Assert.Contains($"max abs diff {maxAbs:G6}", line, StringComparison.Ordinal);
        Assert.Contains($"max rel diff {maxRel:G6}", line, StringComparison.Ordinal);
        Assert.Contains("1 of 3 elements differ", line, StringComparison.Ordinal);
        Assert.True(loose.ExitCode == 0, loose.ToString());
        Assert.StartsWith("equal (within atol", loose.Out, StringComparison.Ordinal);
        Assert.True(relative.ExitCode == 0, relative.ToString());
    }

    [Fact]
    public void Diff_StructureChanges_ReportsKeysDTypeShapeUnitAndType()
    {
        using var temp = new TempDirectory();
        Msgpack.Save(temp.File("a.msgpack"), new StateMap
        {
            { "gone", 1L },
            { "w", NdArray.Zeros(DType.Float32, new Shape(2, 2)) },
            { "b", NdArray.Zeros(DType.Float32, new Shape(2)) },
            { "tau", Vectors.Quantity(10.0, -3, 0, 0, 1) },
            { "lr", 0.1 },
            { "act", "relu" },
        });
        Msgpack.Save(temp.File("b.msgpack"), new StateMap
        {
            { "w", NdArray.Zeros(DType.Float32, new Shape(3, 2)) },
            { "b", NdArray.Zeros(DType.Float64, new Shape(2)) },
            { "tau", Vectors.Quantity(10.0, 0, 0, 0, 1) },
            { "lr", "0.1" },
            { "act", "gelu" },
            { "new", 2L },
        });

        Ckpt.Result result = Ckpt.Run("diff", temp.File("a.msgpack"), temp.File("b.msgpack"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"^only in A\s+gone\s+int$", result.Lines.Single(l => l.Contains(" gone", StringComparison.Ordinal)));
        Assert.Matches(@"^only in B\s+new\s+int$", result.Lines.Single(l => l.Contains(" new", StringComparison.Ordinal)));
        Assert.Matches(@"^shape\s+w\s+\(2, 2\)\s+\(3, 2\)$", result.Lines.Single(l => l.Contains(" w ", StringComparison.Ordinal)));
        Assert.Matches(@"^dtype\s+b\s+float32\s+float64$", result.Lines.Single(l => l.Contains(" b ", StringComparison.Ordinal)));
        Assert.Matches(@"^unit\s+tau\s+ms\s+s$", result.Lines.Single(l => l.Contains(" tau ", StringComparison.Ordinal)));
        Assert.Matches(@"^type\s+lr\s+float\s+str$", result.Lines.Single(l => l.Contains(" lr ", StringComparison.Ordinal)));
        Assert.Matches(@"^value\s+act\s+'relu'\s+'gelu'$", result.Lines.Single(l => l.Contains(" act ", StringComparison.Ordinal)));
        Assert.StartsWith("different (exactly): 7 differences", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_MsgpackAgainstItsSafetensorsConversion_Exit0()
    {
        using var temp = new TempDirectory();
        string converted = temp.File("basic.safetensors");
        Assert.Equal(0, Ckpt.Run("convert", Vectors.File("seed_basic"), converted).ExitCode);

        Ckpt.Result result = Ckpt.Run("diff", Vectors.File("seed_basic"), converted);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [InlineData("--atol", "-1")]
    [InlineData("--rtol", "abc")]
    public void Diff_BadTolerance_Exit2(string option, string value)
    {
        Ckpt.Result result = Ckpt.Run("diff", Vectors.File("seed_basic"), Vectors.File("seed_basic"), option, value);

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void Diff_MissingSecondFile_OneLineErrorExit1()
    {
        Ckpt.Result result = Ckpt.Run("diff", Vectors.File("seed_basic"), "missing.msgpack");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("ckpt: file not found: missing.msgpack", result.Error.TrimEnd());
    }
}
