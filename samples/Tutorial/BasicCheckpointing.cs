using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Basic Checkpointing: Simple Data Structures" section.</summary>
internal static class BasicCheckpointing
{
    public const string CheckpointPath = "checkpoints/model_checkpoint.msgpack";

    public static void Run(TextWriter output)
    {
        // Create some model data
        var modelData = new Dictionary<string, object>
        {
            ["weights"] = new float[,] { { 1.0f, 2.0f }, { 3.0f, 4.0f } },
            ["bias"] = new[] { 0.1f, 0.2f },
            ["config"] = new Dictionary<string, object>
            {
                ["learning_rate"] = 0.001,
                ["batch_size"] = 32,
            },
        };

        // Save to checkpoint
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };
        Msgpack.Save(CheckpointPath, modelData, options: options);
        output.WriteLine($"Model saved to {CheckpointPath}");

        // Load from checkpoint
        StateNode loadedData = Msgpack.Load(CheckpointPath, options: options);
        output.WriteLine("Model loaded successfully!");
        output.WriteLine($"Weights shape: {loadedData["weights"].AsArray().Shape}");
        output.WriteLine($"Config: {loadedData["config"]}");
    }
}
