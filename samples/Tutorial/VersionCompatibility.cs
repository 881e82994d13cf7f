using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Best Practices 1. Version Compatibility" section: version metadata saved with the model.</summary>
internal static class VersionCompatibility
{
    public const string CheckpointPath = "checkpoints/versioned_checkpoint.msgpack";

    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };
        string libraryVersion = typeof(Msgpack).Assembly.GetName().Version!.ToString(3);

        // Example training config (you would define this based on your needs)
        var trainingConfig = new Dictionary<string, object> { ["lr"] = 0.001, ["batch_size"] = 32 };
        var yourModelData = new Dictionary<string, object> { ["weights"] = Enumerable.Repeat(1.0f, 100).ToArray() }; // Example model data

        var checkpointData = new Dictionary<string, object>
        {
            ["model"] = yourModelData,
            ["metadata"] = new Dictionary<string, object>
            {
                ["braintools_version"] = libraryVersion,
                ["model_version"] = "1.2.0",
                ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
                ["training_config"] = trainingConfig,
            },
        };

        Msgpack.Save(CheckpointPath, checkpointData, options: options);
        output.WriteLine($"Checkpoint saved with BrainTools.NET version {libraryVersion}");

        // Read the metadata back before trusting the model part
        StateNode metadata = Msgpack.Load(CheckpointPath)["metadata"];
        output.WriteLine($"Model version in checkpoint: {(string?)metadata["model_version"]}");
    }
}
