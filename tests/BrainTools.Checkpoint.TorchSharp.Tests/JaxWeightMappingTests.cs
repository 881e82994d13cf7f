using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class JaxWeightMappingTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    [Fact]
    public void LoadInto_PythonMlpCheckpoint_GivesNumpysOutputs()
    {
        var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
        StateNode io = Msgpack.Load(Data("jax_mlp_io.msgpack"));

        WeightMappingReport report = new JaxWeightMapping()
            .Layer("params/Dense_0", "fc1")
            .Layer("params/Dense_1", "fc2")
            .LoadInto(Data("jax_mlp.msgpack"), model);

        using Tensor x = TensorArrays.ToTensor((NdArray)io["x"]);
        using Tensor y = model.call(x);
        float[] expected = ((NdArray)io["y"]).AsSpan<float>().ToArray();
        float[] actual = y.data<float>().ToArray();
        Assert.True(report.IsComplete);
        Assert.Equal(4, report.Placed.Count);
        Assert.Equal(WeightLayout.Transpose, report.Placed[0].Layout);
        Assert.Equal(WeightLayout.AsIs, report.Placed[1].Layout);
        Assert.Equal(new long[] { 5, 3 }, y.shape);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"element {i}: numpy {expected[i]}, TorchSharp {actual[i]}");
        }
    }

    [Fact]
    public void LoadInto_PythonConvCheckpoint_PermutesHwioToOihw()
    {
        var conv = nn.Conv2d(2, 4, 3);
        StateNode io = Msgpack.Load(Data("jax_cnn_io.msgpack"));

        new JaxWeightMapping()
            .Rename("^params/Conv_0/kernel$", "weight", WeightLayout.HwioToOihw)
            .Rename("^params/Conv_0/bias$", "bias")
            .LoadInto(Data("jax_cnn.msgpack"), conv);

        using Tensor nhwc = TensorArrays.ToTensor((NdArray)io["x"]);
        using Tensor nchw = nhwc.permute(0, 3, 1, 2);
        using Tensor output = conv.call(nchw);
        using Tensor outputNhwc = output.permute(0, 2, 3, 1).contiguous();
        float[] expected = ((NdArray)io["y"]).AsSpan<float>().ToArray();
        float[] actual = outputNhwc.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"element {i}: numpy {expected[i]}, TorchSharp {actual[i]}");
        }
    }

    [Fact]
    public void LoadInto_UnplaceableUnderError_ThrowsListingEveryProblemAndChangesNothing()
    {
        var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 2)));
        byte[] before = TorchModels.Bytes(model.state_dict()["fc1.weight"]);

        var error = Assert.Throws<CheckpointMismatchException>(() => new JaxWeightMapping()
            .Layer("params/Dense_0", "fc1")
            .Rename("^params/Dense_1/kernel$", "fc2.weight", WeightLayout.Transpose)
            .LoadInto(Data("jax_mlp.msgpack"), model));

        Assert.Contains("params/Dense_1/kernel -> fc2.weight: shape (16, 3) is (3, 16) after transpose, the tensor is (2, 16)", error.Message, StringComparison.Ordinal);
        Assert.Contains("params/Dense_1/bias: no rule matches", error.Message, StringComparison.Ordinal);
        Assert.Contains("not filled: fc2.bias", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, TorchModels.Bytes(model.state_dict()["fc1.weight"]));
    }

    [Fact]
    public void LoadInto_PartialUnderIgnore_PlacesWhatFitsAndReportsTheRest()
    {
        var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("head", nn.Linear(16, 3)));
        StateNode weights = Msgpack.Load(Data("jax_mlp.msgpack"));

        WeightMappingReport report = new JaxWeightMapping()
            .Layer("params/Dense_0", "fc1")
            .Layer("params/Dense_1", "fc2")
            .Apply(weights, model, Mismatch.Ignore);

        NdArray kernel = (NdArray)weights["params"]["Dense_0"]["kernel"];
        using Tensor expected = TensorArrays.ToTensor(kernel).t().contiguous();
        Assert.Equal(TorchModels.Bytes(expected), TorchModels.Bytes(model.state_dict()["fc1.weight"]));
        Assert.Equal(["params/Dense_1/kernel", "params/Dense_1/bias"], report.Unplaced.Select(weight => weight.SourcePath));
        Assert.All(report.Unplaced, weight => Assert.Equal("the module has no such tensor", weight.Reason));
        Assert.Equal(["head.weight", "head.bias"], report.Unfilled);
        Assert.False(report.IsComplete);
    }

    [Fact]
    public void LoadInto_PartialUnderWarn_WarnsOnceListingTheRest()
    {
        var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("head", nn.Linear(16, 3)));
        var warnings = new List<CheckpointWarning>();
        void Collect(object? sender, CheckpointWarning warning) => warnings.Add(warning);
        Msgpack.Warning += Collect;
        try
        {
            new JaxWeightMapping().Layer("params/Dense_0", "fc1").LoadInto(Data("jax_mlp.msgpack"), model, Mismatch.Warn);
        }
        finally
        {
            Msgpack.Warning -= Collect;
        }

        CheckpointWarning only = Assert.Single(warnings);
        Assert.Contains("params/Dense_1/kernel: no rule matches", only.Message, StringComparison.Ordinal);
        Assert.Contains("head.weight", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Permute_NotAPermutation_Throws()
    {
        Assert.Throws<ArgumentException>(() => WeightLayout.Permute(0, 0, 1));
    }
}
