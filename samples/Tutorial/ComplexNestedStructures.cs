using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Handling Complex Nested Structures" section: dictionaries of lists of dictionaries.</summary>
internal static class ComplexNestedStructures
{
    public const string CheckpointPath = "checkpoints/complex_model.msgpack";

    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };

        // Complex nested model
        var complexModel = new Dictionary<string, object>
        {
            ["encoder"] = new Dictionary<string, object>
            {
                ["layers"] = new List<object>
                {
                    new Dictionary<string, object> { ["weights"] = RandomArrays.Randn(100, 64), ["bias"] = new float[64] },
                    new Dictionary<string, object> { ["weights"] = RandomArrays.Randn(4, 32), ["bias"] = new float[32] },
                },
                ["config"] = new Dictionary<string, object> { ["activation"] = "relu", ["dropout"] = 0.1 },
            },
            ["decoder"] = new Dictionary<string, object>
            {
                ["layers"] = new List<object>
                {
                    new Dictionary<string, object> { ["weights"] = RandomArrays.Randn(32, 64), ["bias"] = new float[64] },
                    new Dictionary<string, object> { ["weights"] = RandomArrays.Randn(64, 100), ["bias"] = new float[100] },
                },
                ["config"] = new Dictionary<string, object> { ["activation"] = "sigmoid" },
            },
            ["optimizer_state"] = new Dictionary<string, object>
            {
                ["momentum"] = new List<float[,]> { new float[100, 64], new float[64, 32], new float[32, 64], new float[64, 100] },
                ["learning_rate"] = 0.001,
                ["step"] = 1000,
            },
        };

        // Save complex model
        Msgpack.Save(CheckpointPath, complexModel, options: options);

        // Load and verify structure (lists come back as maps keyed "0", "1", ...)
        StateNode loadedComplex = Msgpack.Load(CheckpointPath, options: options);
        output.WriteLine($"Encoder layers: {loadedComplex["encoder"]["layers"].AsMap().Count}");
        output.WriteLine($"Optimizer step: {loadedComplex["optimizer_state"]["step"]}");
    }
}
