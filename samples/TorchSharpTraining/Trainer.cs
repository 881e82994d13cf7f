using BrainTools.Checkpoint;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BrainTools.Samples.TorchSharpTraining;

/// <summary>A small regression model trained with Adam, checkpointed every 2 steps.</summary>
internal sealed class Trainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly OptimizerHelper _optimizer;

    private Trainer()
    {
        manual_seed(0);
        _model = nn.Sequential(("fc1", nn.Linear(8, 32)), ("bn", nn.BatchNorm1d(32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, 1)));
        _optimizer = optim.Adam(_model.parameters(), 0.01);
    }

    /// <summary>Trains to <paramref name="steps"/> in <paramref name="dir"/>, resuming from its latest checkpoint; kills the process at <paramref name="killAtStep"/>.</summary>
    public static Trainer Run(string dir, int steps, int? killAtStep)
    {
        var trainer = new Trainer();
        using var background = new AsyncManager();
        using var manager = new CheckpointManager(dir, new CheckpointManagerOptions { KeepLast = 3, KeepBest = 1, BestMode = MetricMode.Min }, background);

        // The whole training state in one tree: the module, the optimizer, the step (restored in place).
        var state = new Dictionary<string, object> { ["model"] = trainer._model, ["optimizer"] = trainer._optimizer, ["step"] = 0L };
        long first = 1;
        if (manager.Latest is { } latest)
        {
            var restored = manager.RestoreInto(state);
            first = (long)restored["step"] + 1;
            Console.WriteLine($"resumed from {latest.File} (step {latest.Step}); best so far: {manager.Best?.File} (loss {manager.Best?.Metric:F4})");
        }

        for (long step = first; step <= steps; step++)
        {
            double loss = trainer.Step(step);
            if (step % 2 == 0)
            {
                state["step"] = step;
                manager.Save(step, state, metric: loss); // returns once the bytes are in a temp file; fsync and rename run behind
            }

            if (step == killAtStep)
            {
                // SIGKILL: no clean-up, no flush, the background save of the step before possibly still committing.
                System.Diagnostics.Process.GetCurrentProcess().Kill();
            }
        }

        manager.Wait();
        Console.WriteLine($"{dir}: trained to step {steps}; kept {string.Join(", ", manager.Checkpoints.Select(c => $"{c.Step} (loss {c.Metric:F4})"))}");
        return trainer;
    }

    /// <summary>Every parameter and buffer's bytes, for comparing two runs.</summary>
    public IEnumerable<byte[]> Parameters() => _model.state_dict().Values.Select(tensor => tensor.bytes.ToArray());

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }

    // The batch of a step is drawn from the step number, so a resumed run sees the same data as an uninterrupted one.
    private double Step(long step)
    {
        _model.train();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(1000 + step));
        Tensor x = randn([16, 8], generator: generator);
        Tensor y = x.sum(1, keepdim: true).sin();
        _optimizer.zero_grad();
        Tensor loss = nn.functional.mse_loss(_model.call(x), y);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }
}
