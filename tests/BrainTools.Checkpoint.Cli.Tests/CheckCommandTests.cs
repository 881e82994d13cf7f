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
        Assert.Matches(@"^missing\s+layer3\s+a map of 2 leaves$", result.Lines.Single(l => l.Contains("layer3", StringComparison.Ordinal)));
        Assert.Matches(@"^missing\s+config/momentum\s+float$", result.Lines.Single(l => l.Contains("momentum", StringComparison.Ordinal)));
        Assert.EndsWith("does not fit the structure of " + template + ": 2 missing, 0 extra, 0 mismatched", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Mismatches_ReportsShapeDTypeUnitTypeAndExtra()
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
        Assert.Matches(@"^mismatch\s+w\s+shape \(3, 2\), expected \(2, 2\)$", result.Lines.Single(l => l.Contains(" w ", StringComparison.Ordinal)));
        Assert.Matches(@"^mismatch\s+b\s+dtype float64, expected float32$", result.Lines.Single(l => l.Contains(" b ", StringComparison.Ordinal)));
        Assert.Matches(@"^mismatch\s+tau\s+unit s, expected ms$", result.Lines.Single(l => l.Contains(" tau ", StringComparison.Ordinal)));
        Assert.Matches(@"^mismatch\s+layers\s+type a map of 1 leaf, expected float32 \(1,\)$", result.Lines.Single(l => l.Contains(" layers ", StringComparison.Ordinal)));
        Assert.Matches(@"^extra\s+old\s+str$", result.Lines.Single(l => l.Contains(" old ", StringComparison.Ordinal)));
        Assert.EndsWith("0 missing, 1 extra, 4 mismatched", result.Lines[^1], StringComparison.Ordinal);
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
        Assert.EndsWith("(1 extra key in " + file + ", ignored by a restore)", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithoutLike_Exit2()
    {
        Ckpt.Result result = Ckpt.Run("check", Vectors.File("seed_basic"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--like", result.Error, StringComparison.Ordinal);
    }
}
