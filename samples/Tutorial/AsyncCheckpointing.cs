using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Async Checkpointing" section.</summary>
internal static class AsyncCheckpointing
{
    public const string CheckpointPath = "checkpoints/large_model.msgpack";

    public static void Run(TextWriter output)
    {
        // Create async manager
        using var asyncManager = new AsyncManager(maxWorkers: 2);

        // Large model data
        var rng = new Random(0);
        var largeModel = new Dictionary<string, object>
        {
            ["embeddings"] = Randn(rng, 100000, 512),
            ["weights"] = Enumerable.Range(0, 10).Select(_ => Randn(rng, 512, 512)).ToList(),
            ["step"] = 5000,
        };

        // Save asynchronously: the model is copied before Save returns, the file is written in the background.
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };
        Msgpack.Save(CheckpointPath, largeModel, options: options, asyncManager: asyncManager);
        output.WriteLine("Checkpoint initiated asynchronously");

        // Continue with other work... (training may change the model now: the file keeps the values it had)
        output.WriteLine("Doing other work while checkpoint saves...");
        ((float[,])largeModel["embeddings"])[0, 0] = 0f;

        // Wait for completion when needed
        asyncManager.WaitPreviousSave();
        output.WriteLine("Checkpoint completed!");
    }

    // Standard normal float32 values (Box-Muller), as brainstate.random.randn.
    private static float[,] Randn(Random rng, int rows, int cols)
    {
        var values = new float[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double u = 1.0 - rng.NextDouble();
                values[i, j] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * rng.NextDouble()));
            }
        }

        return values;
    }
}
