using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Custom Object Serialization" section: register how a class is saved and restored.</summary>
internal static class CustomObjectSerialization
{
    public const string CheckpointPath = "checkpoints/custom_layer.msgpack";

    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };

        // Register the serialization
        Msgpack.RegisterSerialization<CustomLayer>(LayerToStateDict, LayerFromStateDict);

        // Now you can save and load CustomLayer objects
        var layer = new CustomLayer(10, 5);
        var data = new Dictionary<string, object>
        {
            ["my_layer"] = layer,
            ["metadata"] = new Dictionary<string, object> { ["version"] = "1.0" },
        };

        Msgpack.Save(CheckpointPath, data, options: options);

        // Load with template
        var template = new Dictionary<string, object>
        {
            ["my_layer"] = new CustomLayer(10, 5),
            ["metadata"] = new Dictionary<string, object> { ["version"] = "" },
        };
        Dictionary<string, object> loaded = Msgpack.Load(CheckpointPath, template, options: options);
        output.WriteLine($"Loaded layer with shape: {((CustomLayer)loaded["my_layer"]).Weights.Shape}");
    }

    // Register serialization for CustomLayer
    private static Dictionary<string, object> LayerToStateDict(CustomLayer layer) => new()
    {
        ["input_size"] = layer.InputSize,
        ["output_size"] = layer.OutputSize,
        ["weights"] = layer.Weights,
        ["bias"] = layer.Bias,
    };

    private static CustomLayer LayerFromStateDict(CustomLayer layer, StateNode stateDict, Mismatch mismatch) =>
        // Create new layer with restored parameters
        new((int)stateDict["input_size"], (int)stateDict["output_size"])
        {
            Weights = (NdArray)stateDict["weights"],
            Bias = (NdArray)stateDict["bias"],
        };
}
