using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class OptimizerCheckpointTests
{
    public static TheoryData<string> Optimizers() => ["sgd", "sgd-nesterov", "adam", "adam-amsgrad", "adamw"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void LoadInto_ModelAndOptimizer_ResumesIdentically(string kind)
    {
        using var dir = new TempDirectory();
        string path = dir.File("train.msgpack");
        TorchSerialization.Register();

        // Train 3 steps, save, then 3 more: the reference.
        var model = TorchModels.Mlp(seed: 1);
        OptimizerHelper optimizer = Make(kind, model);
        Train(model, optimizer, fromStep: 0, steps: 3);
        Msgpack.Save(path, new Dictionary<string, object> { ["model"] = model, ["optimizer"] = optimizer, ["step"] = 3L });
        Train(model, optimizer, fromStep: 3, steps: 3);

        // A fresh model and optimizer restored from the checkpoint, then the same 3 steps.
        var resumed = TorchModels.Mlp(seed: 2);
        OptimizerHelper resumedOptimizer = Make(kind, resumed);
        var state = Msgpack.LoadInto(path, new Dictionary<string, object> { ["model"] = resumed, ["optimizer"] = resumedOptimizer, ["step"] = 0L });
        Train(resumed, resumedOptimizer, fromStep: (long)state["step"], steps: 3);

        foreach ((string name, Tensor tensor) in model.state_dict())
        {
            Assert.Equal(TorchModels.Bytes(tensor), TorchModels.Bytes(resumed.state_dict()[name]));
        }
    }

    [Fact]
    public void Save_Adam_WritesPyTorchShapedState()
    {
        using var dir = new TempDirectory();
        string path = dir.File("adam.msgpack");
        TorchSerialization.Register();
        var model = TorchModels.Mlp(seed: 1);
        OptimizerHelper optimizer = Make("adam", model);
        Train(model, optimizer, fromStep: 0, steps: 2);

        Msgpack.Save(path, optimizer);

        StateNode tree = Msgpack.Load(path);
        Assert.Equal(["state", "param_groups"], tree.AsMap().Keys);
        Assert.Equal(6, tree["state"].AsMap().Count);
        Assert.Equal(2L, (long)tree["state"]["0"]["step"]);
        Assert.Equal(new Shape(8, 4), ((NdArray)tree["state"]["0"]["exp_avg"]).Shape);
        Assert.Equal(StateNodeKind.Nil, tree["state"]["0"]["max_exp_avg_sq"].Kind);
        Assert.Equal(0.01, (double)tree["param_groups"]["0"]["lr"]);
        Assert.Equal(0.9, (double)tree["param_groups"]["0"]["beta1"]);
    }

    [Fact]
    public void LoadInto_SgdMomentumIntoFreshOptimizer_CreatesTheBuffers()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sgd.msgpack");
        TorchSerialization.Register();
        var model = TorchModels.Mlp(seed: 1);
        OptimizerHelper optimizer = Make("sgd", model);
        Train(model, optimizer, fromStep: 0, steps: 2);
        Msgpack.Save(path, optimizer);

        OptimizerHelper fresh = Make("sgd", TorchModels.Mlp(seed: 1));
        Assert.Null(((SGD.State)fresh.state_dict().State[0]).momentum_buffer);
        Msgpack.LoadInto(path, fresh);

        Tensor expected = ((SGD.State)optimizer.state_dict().State[0]).momentum_buffer;
        Tensor actual = ((SGD.State)fresh.state_dict().State[0]).momentum_buffer;
        Assert.Equal(TorchModels.Bytes(expected), TorchModels.Bytes(actual));
    }

    private static OptimizerHelper Make(string kind, nn.Module<Tensor, Tensor> model) => kind switch
    {
        "sgd" => optim.SGD(model.parameters(), 0.05, momentum: 0.9),
        "sgd-nesterov" => optim.SGD(model.parameters(), 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-3),
        "adam" => optim.Adam(model.parameters(), 0.01),
        "adam-amsgrad" => optim.Adam(model.parameters(), 0.01, amsgrad: true),
        "adamw" => optim.AdamW(model.parameters(), 0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // Batches drawn from the step number, so a resumed run sees the same data.
    private static void Train(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, long fromStep, int steps)
    {
        model.train();
        for (long step = fromStep; step < fromStep + steps; step++)
        {
            using Tensor x = TorchModels.Inputs(seed: 100 + step, rows: 16);
            using Tensor target = TorchModels.Inputs(seed: 200 + step, rows: 16).narrow(1, 0, 3);
            optimizer.zero_grad();
            using Tensor loss = nn.functional.mse_loss(model.call(x), target);
            loss.backward();
            optimizer.step();
        }
    }
}
