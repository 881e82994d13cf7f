using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Working with Templates" section: restore into a structure that fixes the expected shapes and types.</summary>
internal static class WorkingWithTemplates
{
    public static void Run(TextWriter output)
    {
        // Create a template with the expected structure
        var template = new Dictionary<string, object>
        {
            ["weights"] = new float[2, 2], // Shape and dtype information
            ["bias"] = new float[2],
            ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.0, ["batch_size"] = 0 },
        };

        // Load with template to ensure type safety: the result has the template's types (float[,], int, ...)
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };
        Dictionary<string, object> loadedData = Msgpack.Load(BasicCheckpointing.CheckpointPath, template, options: options);
        output.WriteLine("Loaded with template validation");
        var config = (Dictionary<string, object>)loadedData["config"];
        output.WriteLine($"batch_size is an {config["batch_size"].GetType().Name}: {config["batch_size"]}");
    }
}
