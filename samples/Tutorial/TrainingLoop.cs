using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Regular Checkpointing During Training" loop, then the same with a <see cref="CheckpointManager"/>.</summary>
internal static class TrainingLoop
{
    public const string CheckpointDir = "checkpoints";
    public const string ManagedDir = "checkpoints/training_run";

    public static void Run(TextWriter output)
    {
        TrainingLoopWithCheckpointing(output);
        output.WriteLine();
        TrainingLoopWithManager(output);
    }

    private static void TrainingLoopWithCheckpointing(TextWriter output)
    {
        Directory.CreateDirectory(CheckpointDir);

        // Example training parameters
        const int numEpochs = 100;
        const int checkpointInterval = 10;

        // Mock model state and optimizer state
        var modelState = new Dictionary<string, object> { ["weights"] = Ones(10, 10), ["bias"] = new float[10] };
        var optimizerState = new Dictionary<string, object> { ["momentum"] = new float[10, 10], ["step"] = 0 };

        var options = MsgpackOptions.Default with { Log = output, Verbose = true };
        for (int epoch = 0; epoch < numEpochs; epoch++)
        {
            // Training step (mock)
            modelState = TrainStep(modelState);

            // Checkpoint every N epochs
            if (epoch % checkpointInterval == 0)
            {
                string checkpointPath = $"{CheckpointDir}/checkpoint_epoch_{epoch}.msgpack";
                var checkpointData = new Dictionary<string, object>
                {
                    ["model_state"] = modelState,
                    ["epoch"] = epoch,
                    ["optimizer_state"] = optimizerState,
                    ["rng_state"] = new uint[] { 0, 42 }, // jax.random.PRNGKey(42)
                };
                Msgpack.Save(checkpointPath, checkpointData, options: options);
                output.WriteLine($"Checkpoint saved at epoch {epoch}");
            }

            // Break early for demo
            if (epoch >= 20)
            {
                break;
            }
        }
    }

    // The same loop with a CheckpointManager: numbered files, retention, a manifest and resume. (Pass an AsyncManager
    // as its third argument to save in the background; see the README.)
    private static void TrainingLoopWithManager(TextWriter output)
    {
        if (Directory.Exists(ManagedDir))
        {
            Directory.Delete(ManagedDir, recursive: true);
        }

        var options = new CheckpointManagerOptions { KeepLast = 2, KeepEvery = 25, KeepBest = 1, BestMode = MetricMode.Min };
        using (var manager = new CheckpointManager(ManagedDir, options))
        {
            var weights = Ones(10, 10);
            for (int step = 1; step <= 60; step++)
            {
                weights[0, 0] = step; // Mock training step
                if (step % 5 == 0)
                {
                    double loss = Math.Abs(step - 30) + 0.5; // Mock validation loss, best at step 30
                    manager.Save(step, new Dictionary<string, object> { ["weights"] = weights, ["step"] = step }, metric: loss);
                }
            }

            output.WriteLine($"Kept: {string.Join(", ", manager.Checkpoints.Select(c => $"step {c.Step} (loss {c.Metric})"))}");
            output.WriteLine($"Latest: step {manager.Latest?.Step}, best: step {manager.Best?.Step}");
        }

        // After a restart (or a pre-emption), a new manager finds the checkpoints and resumes from the latest.
        using var resumed = new CheckpointManager(ManagedDir, options);
        StateNode state = resumed.Restore();
        output.WriteLine($"Resuming from step {(long)state["step"]}, weights[0, 0] = {state["weights"].AsArray().AsReadOnlySpan<float>()[0]}");

        // Or straight into the arrays a live model already has, as PyTorch's load_state_dict does: no second copy of
        // the model in memory (Msgpack.LoadInto does the same for any file).
        var live = new Dictionary<string, object> { ["weights"] = Ones(10, 10), ["step"] = 0 };
        var liveWeights = (float[,])live["weights"];
        Dictionary<string, object> restored = resumed.RestoreInto(live);
        output.WriteLine($"Loaded into the live model: step {restored["step"]}, weights[0, 0] = {liveWeights[0, 0]} (same array: {ReferenceEquals(restored["weights"], liveWeights)})");
    }

    private static Dictionary<string, object> TrainStep(Dictionary<string, object> modelState) => modelState;

    private static float[,] Ones(int rows, int cols)
    {
        var values = new float[rows, cols];
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int j = 0; j < values.GetLength(1); j++)
            {
                values[i, j] = 1f;
            }
        }

        return values;
    }
}
