using System.Collections;
using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Mismatch Handling" section: the three policies when the file and the template differ.</summary>
internal static class MismatchHandling
{
    public const string CheckpointPath = "checkpoints/original.msgpack";

    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };

        // Create model with different structure
        var originalModel = new Dictionary<string, object>
        {
            ["layer1"] = new Dictionary<string, object> { ["weights"] = Ones(5, 3), ["bias"] = new float[3] },
            ["layer2"] = new Dictionary<string, object> { ["weights"] = Ones(3, 2), ["bias"] = new float[2] },
            ["config"] = new Dictionary<string, object> { ["lr"] = 0.01 },
        };

        Msgpack.Save(CheckpointPath, originalModel, options: options);

        // New model with additional components
        var newModel = new Dictionary<string, object>
        {
            ["layer1"] = new Dictionary<string, object> { ["weights"] = new float[5, 3], ["bias"] = new float[3] },
            ["layer2"] = new Dictionary<string, object> { ["weights"] = new float[3, 2], ["bias"] = new float[2] },
            ["layer3"] = new Dictionary<string, object> { ["weights"] = new float[2, 1], ["bias"] = new float[1] }, // New layer
            ["config"] = new Dictionary<string, object> { ["lr"] = 0.001, ["momentum"] = 0.9 }, // New parameter
        };

        // Different mismatch handling strategies:

        // 1. Error on mismatch (default)
        try
        {
            Msgpack.Load(CheckpointPath, newModel, Mismatch.Error, options: options);
        }
        catch (CheckpointMismatchException e)
        {
            output.WriteLine($"Error mode caught mismatch: {e.Message}");
        }

        // 2. Warn on mismatch but continue: warnings go to the options' handler (or the Msgpack.Warning event)
        var warnings = new List<CheckpointWarning>();
        Dictionary<string, object> loaded = Msgpack.Load(CheckpointPath, newModel, Mismatch.Warn, options: options with { OnWarning = warnings.Add });
        if (warnings.Count > 0)
        {
            output.WriteLine($"Warning: {warnings[0].Message}");
        }

        output.WriteLine("Loaded with warnings - missing components kept from target");
        bool preserved = StructuralComparisons.StructuralEqualityComparer.Equals(Layer(loaded, "layer3")["weights"], Layer(newModel, "layer3")["weights"]);
        output.WriteLine($"layer3 weights preserved: {preserved}");

        // 3. Ignore mismatches silently
        loaded = Msgpack.Load(CheckpointPath, newModel, Mismatch.Ignore, options: options);
        output.WriteLine("Loaded silently - new components preserved from target");
    }

    private static Dictionary<string, object> Layer(Dictionary<string, object> model, string name) => (Dictionary<string, object>)model[name];

    private static float[,] Ones(int rows, int columns)
    {
        var array = new float[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                array[i, j] = 1.0f;
            }
        }

        return array;
    }
}
