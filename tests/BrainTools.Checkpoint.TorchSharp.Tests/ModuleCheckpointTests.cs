using TorchSharp;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class ModuleCheckpointTests
{
    [Fact]
    public void LoadInto_FreshSequential_GivesIdenticalOutputs()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.msgpack");
        var saved = TorchModels.Mlp(seed: 1);
        TorchModels.Warm(saved, seed: 10);
        TorchCheckpoint.Save(path, saved);

        var restored = TorchModels.Mlp(seed: 2);
        TorchLoadReport report = TorchCheckpoint.LoadInto(path, restored);

        saved.eval();
        restored.eval();
        using Tensor x = TorchModels.Inputs(seed: 3);
        using Tensor expected = saved.call(x);
        using Tensor actual = restored.call(x);
        Assert.True(report.IsExact, string.Join("\n", report.Differences));
        Assert.Equal(TorchModels.Bytes(expected), TorchModels.Bytes(actual));
        foreach ((string name, Tensor tensor) in saved.state_dict())
        {
            Assert.Equal(TorchModels.Bytes(tensor), TorchModels.Bytes(restored.state_dict()[name]));
        }
    }

    [Fact]
    public void Save_Sequential_NestsDottedNamesWithBuffers()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.msgpack");
        var model = TorchModels.Mlp(seed: 1);
        TorchModels.Warm(model, seed: 10);

        TorchCheckpoint.Save(path, model);

        StateNode tree = Msgpack.Load(path);
        Assert.Equal(["fc1", "bn", "fc2"], tree.AsMap().Keys);
        Assert.Equal(["weight", "bias"], tree["fc1"].AsMap().Keys);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], tree["bn"].AsMap().Keys);
        NdArray weight = (NdArray)tree["fc1"]["weight"];
        Assert.Equal(DType.Float32, weight.DType);
        Assert.Equal(new Shape(8, 4), weight.Shape);
        NdArray count = (NdArray)tree["bn"]["num_batches_tracked"];
        Assert.Equal(DType.Int64, count.DType);
        Assert.Equal(3L, count.AsSpan<long>()[0]);
    }

    [Fact]
    public void Load_Template_RestoresIntoTheModulesTensors()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.msgpack");
        var saved = TorchModels.Mlp(seed: 1);
        TorchCheckpoint.Save(path, saved);
        var restored = TorchModels.Mlp(seed: 2);

        var result = Msgpack.Load(path, restored);

        Assert.Same(restored, result);
        Assert.Equal(TorchModels.Bytes(saved.state_dict()["fc2.weight"]), TorchModels.Bytes(restored.state_dict()["fc2.weight"]));
    }

    [Fact]
    public void LoadInto_ShapeMismatch_ThrowsWithPathAndLeavesModuleUntouched()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.msgpack");
        TorchCheckpoint.Save(path, TorchModels.Mlp(seed: 1));
        manual_seed(5);
        var wider = nn.Sequential(("fc1", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 5)));
        byte[] before = TorchModels.Bytes(wider.state_dict()["fc1.weight"]);

        var error = Assert.Throws<CheckpointMismatchException>(() => TorchCheckpoint.LoadInto(path, wider));

        Assert.Contains("fc2/weight", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TorchModels.Bytes(wider.state_dict()["fc1.weight"]));
    }

    [Fact]
    public void LoadInto_MissingAndUnexpectedUnderWarn_ReportsDottedNames()
    {
        using var dir = new TempDirectory();
        string path = dir.File("partial.msgpack");
        manual_seed(1);
        var smaller = nn.Sequential(("fc1", nn.Linear(4, 8)), ("extra", nn.Linear(2, 2)));
        TorchCheckpoint.Save(path, smaller);
        var model = TorchModels.Mlp(seed: 2);
        byte[] fc2Before = TorchModels.Bytes(model.state_dict()["fc2.weight"]);
        var warnings = new List<CheckpointWarning>();

        TorchLoadReport report = TorchCheckpoint.LoadInto(path, model, Mismatch.Warn, MsgpackOptions.Default with { OnWarning = warnings.Add });

        Assert.Contains("fc2.weight", report.MissingKeys);
        Assert.Contains("bn.running_mean", report.MissingKeys);
        Assert.Equal(["extra.weight", "extra.bias"], report.UnexpectedKeys);
        Assert.False(report.IsExact);
        Assert.NotEmpty(warnings);
        Assert.Equal(TorchModels.Bytes(smaller.state_dict()["fc1.weight"]), TorchModels.Bytes(model.state_dict()["fc1.weight"]));
        Assert.Equal(fc2Before, TorchModels.Bytes(model.state_dict()["fc2.weight"]));
    }

    [Fact]
    public void LoadInto_ShapeMismatchUnderWarn_ReportsTheShapeAndKeepsThatTensor()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.msgpack");
        var saved = TorchModels.Mlp(seed: 1);
        TorchCheckpoint.Save(path, saved);
        manual_seed(5);
        var wider = nn.Sequential(("fc1", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 5)));
        byte[] before = TorchModels.Bytes(wider.state_dict()["fc2.weight"]);

        TorchLoadReport report = TorchCheckpoint.LoadInto(path, wider, Mismatch.Ignore);

        CheckpointDifference shape = Assert.Single(report.Differences, difference => difference.Path == "./fc2/weight");
        Assert.Equal(CheckpointDifferenceKind.Shape, shape.Kind);
        Assert.Equal("(5, 8)", shape.Expected);
        Assert.Equal("(3, 8)", shape.Actual);
        Assert.Empty(report.MissingKeys);
        Assert.Equal(before, TorchModels.Bytes(wider.state_dict()["fc2.weight"]));
        Assert.Equal(TorchModels.Bytes(saved.state_dict()["fc1.weight"]), TorchModels.Bytes(wider.state_dict()["fc1.weight"]));
    }

    [Fact]
    public void LoadInto_ChunkedArrays_ReadsTheChunksIntoTheParameters()
    {
        // A chunk size of 64 bytes stands in for braintools' 1 GiB: every weight is saved in flax's chunked form.
        using var dir = new TempDirectory();
        string path = dir.File("chunked.msgpack");
        MsgpackOptions options = MsgpackOptions.Default with { MaxChunkSize = 64 };
        var saved = TorchModels.Mlp(seed: 1);
        TorchCheckpoint.Save(path, saved, options);
        var restored = TorchModels.Mlp(seed: 2);

        TorchLoadReport report = TorchCheckpoint.LoadInto(path, restored, options: options);

        using (CheckpointReader reader = Msgpack.Open(path, options))
        {
            Assert.True(reader["fc1/weight"].IsChunked);
        }

        Assert.True(report.IsExact, string.Join("\n", report.Differences));
        foreach ((string name, Tensor tensor) in saved.state_dict())
        {
            Assert.Equal(TorchModels.Bytes(tensor), TorchModels.Bytes(restored.state_dict()[name]));
        }
    }

    [Fact]
    public void LoadInto_Float64Checkpoint_ConvertsIntoFloat32Parameters()
    {
        using var dir = new TempDirectory();
        string path = dir.File("double.msgpack");
        var source = TorchModels.Mlp(seed: 1);
        source.to(ScalarType.Float64);
        TorchCheckpoint.Save(path, source);
        var model = TorchModels.Mlp(seed: 2);

        TorchLoadReport report = TorchCheckpoint.LoadInto(path, model);

        using Tensor expected = source.state_dict()["fc1.weight"].to_type(ScalarType.Float32);
        Assert.Equal(TorchModels.Bytes(expected), TorchModels.Bytes(model.state_dict()["fc1.weight"]));
        Assert.Contains(report.Differences, difference => difference.Kind == CheckpointDifferenceKind.DType);
        Assert.True(report.IsExact);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void LoadInto_HalfPrecisionParameters_StayBitExact(ScalarType type)
    {
        using var dir = new TempDirectory();
        string path = dir.File("half.msgpack");
        var saved = TorchModels.Mlp(seed: 1).to(type);
        TorchCheckpoint.Save(path, saved);
        var restored = TorchModels.Mlp(seed: 2).to(type);

        TorchCheckpoint.LoadInto(path, restored);

        NdArray onDisk = (NdArray)Msgpack.Load(path)["fc1"]["weight"];
        Assert.Equal(TorchDTypes.ToDType(type), onDisk.DType);
        foreach ((string name, Tensor tensor) in saved.state_dict())
        {
            Assert.Equal(tensor.dtype, restored.state_dict()[name].dtype);
            Assert.Equal(TorchModels.Bytes(tensor), TorchModels.Bytes(restored.state_dict()[name]));
        }
    }
}
