namespace BrainTools.Checkpoint.Cli.Tests;

public class CheckCommandTests
{
    [Fact]
    public void Check_SameStructure_Exit0Fits()
    {
        Ckpt.Result result = Ckpt.Run("check", Vectors.File("seed_physics"), "--like", Vectors.File("seed_physics"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{Vectors.File("seed_physics")} fits the structure of {Vectors.File("seed_physics")}", Assert.Single(result.Lines));
    }

    [Fact]
    public void Check_TutorialMismatch_ReportsMissingLayer()
    {
        // The tutorial's mismatch example: the new model has layer3 and config/momentum, the checkpoint does not.
        using var temp = new TempDirectory();
        string template = temp.File("new_model.msgpack");
        Msgpack.Save(template, new StateMap
        {
            { "layer1", new StateMap { { "weights", NdArray.Zeros(DType.Float32, new Shape(5, 3)) }, { "bias", NdArray.Zeros(DType.Float32, new Shape(3)) } } },
            { "layer2", new StateMap { { "weights", NdArray.Zeros(DType.Float32, new Shape(3, 2)) }, { "bias", NdArray.Zeros(DType.Float32, new Shape(2)) } } },
            { "layer3", new StateMap { { "weights", NdArray.Zeros(DType.Float32, new Shape(2, 1)) }, { "bias", NdArray.Zeros(DType.Float32, new Shape(1)) } } },
            { "config", new StateMap { { "lr", 0.001 }, { "momentum", 0.9 } } },
        });

        Ckpt.Result result = Ckpt.Run("check", Vectors.File("seed_original"), "--like", template);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"^difference\s+path\s+expected\s+actual$", result.Lines[0]);
        Assert.Matches(@"^missing\s+layer3\s+a map of 2 keys\s+nothing$", result.Lines.Single(l => l.Contains("layer3", StringComparison.Ordinal)));
        Assert.Matches(@"^missing\s+config/momentum\s+a float \(0\.9\)\s+nothing$", result.Lines.Single(l => l.Contains("momentum", StringComparison.Ordinal)));
        Assert.Equal(4, result.Lines.Length);
        Assert.EndsWith("does not fit the structure of " + template + ": 2 missing, 0 unexpected, 0 mismatched", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Mismatches_ReportsShapeDTypeUnitTypeAndUnexpected()
    {
        using var temp = new TempDirectory();
        string file = temp.File("file.msgpack");
        string like = temp.File("like.msgpack");
        Msgpack.Save(file, new StateMap
        {
            { "w", NdArray.Zeros(DType.Float32, new Shape(3, 2)) },
            { "b", NdArray.Zeros(DType.Float64, new Shape(2)) },
            { "tau", Vectors.Quantity(10.0, 0, 0, 0, 1) },
            { "layers", new StateMap { { "0", 1L } } },
            { "old", "x" },
        });
        Msgpack.Save(like, new StateMap
        {
            { "w", NdArray.Zeros(DType.Float32, new Shape(2, 2)) },
            { "b", NdArray.Zeros(DType.Float32, new Shape(2)) },
            { "tau", Vectors.Quantity(10.0, -3, 0, 0, 1) },
            { "layers", NdArray.Zeros(DType.Float32, new Shape(1)) },
        });

        Ckpt.Result result = Ckpt.Run("check", file, "--like", like);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"^shape\s+w\s+\(2, 2\)\s+\(3, 2\)$", result.Lines.Single(l => l.Contains(" w ", StringComparison.Ordinal)));
        Assert.Matches(@"^dtype\s+b\s+float32\s+float64$", result.Lines.Single(l => l.Contains(" b ", StringComparison.Ordinal)));
        Assert.Matches(@"^unit\s+tau\s+ms\s+s$", result.Lines.Single(l => l.Contains(" tau ", StringComparison.Ordinal)));
        Assert.Matches(@"^type\s+layers\s+an ndarray \(float32, shape \(1,\)\)\s+a map of 1 key$", result.Lines.Single(l => l.Contains(" layers ", StringComparison.Ordinal)));
        Assert.Matches(@"^unexpected\s+old\s+nothing\s+a string \('x'\)$", result.Lines.Single(l => l.Contains(" old ", StringComparison.Ordinal)));
        Assert.Equal(7, result.Lines.Length);
        Assert.EndsWith("0 missing, 1 unexpected, 4 mismatched", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OnlyExtraKeys_Exit0BecauseARestoreIgnoresThem()
    {
        using var temp = new TempDirectory();
        string file = temp.File("file.msgpack");
        string like = temp.File("like.msgpack");
        Msgpack.Save(file, new StateMap { { "w", 1.0 }, { "extra", 2.0 } });
        Msgpack.Save(like, new StateMap { { "w", 0.0 } });

        Ckpt.Result result = Ckpt.Run("check", file, "--like", like);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^unexpected\s+extra\s+nothing\s+a float \(2\.0\)$", result.Lines.Single(l => l.Contains(" extra ", StringComparison.Ordinal)));
        Assert.Equal(file + " fits the structure of " + like + " (1 unexpected key in " + file + ", ignored by a restore)", result.Lines[^1]);
    }

    [Fact]
    public void Check_QuantityOfSameUnitWithOtherMantissa_ReportsTheMantissa()
    {
        using var temp = new TempDirectory();
        string file = temp.File("file.msgpack");
        string like = temp.File("like.msgpack");
        Msgpack.Save(file, new StateMap { { "trace", Vectors.Quantity(NdArray.Zeros(DType.Float32, new Shape(3)), -3, 2, 1, -3, -1) } });
        Msgpack.Save(like, new StateMap { { "trace", Vectors.Quantity(NdArray.Zeros(DType.Float32, new Shape(4)), -3, 2, 1, -3, -1) } });

        Ckpt.Result result = Ckpt.Run("check", file, "--like", like);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"^shape\s+trace/mantissa\s+\(4,\)\s+\(3,\)$", result.Lines[1]);
        Assert.EndsWith("0 missing, 0 unexpected, 1 mismatched", result.Lines[^1], StringComparison.Ordinal);
        Assert.Equal(3, result.Lines.Length);
    }

    [Fact]
    public void Check_WithoutLike_Exit2()
    {
        Ckpt.Result result = Ckpt.Run("check", Vectors.File("seed_basic"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--like", result.Error, StringComparison.Ordinal);
    }
}
