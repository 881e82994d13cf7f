using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Best Practices 3. Checkpoint Validation" section, and <see cref="Msgpack.Reconcile"/> to see every difference at once.</summary>
internal static class CheckpointValidation
{
    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };

        static bool ValidateCheckpoint(StateNode loadedData, Dictionary<string, Shape> expectedShapes)
        {
            foreach ((string key, Shape expectedShape) in expectedShapes)
            {
                if (!loadedData.AsMap().TryGetValue(key, out StateNode? value))
                {
                    throw new InvalidDataException($"Missing key in checkpoint: {key}");
                }

                Shape actualShape = value.AsArray().Shape;
                if (actualShape != expectedShape)
                {
                    throw new InvalidDataException($"Shape mismatch for {key}: expected {expectedShape}, got {actualShape}");
                }
            }

            return true;
        }

        // Example validation
        var expectedShapes = new Dictionary<string, Shape>
        {
            ["weights"] = new Shape(2, 2),
            ["bias"] = new Shape(2),
        };

        try
        {
            StateNode loadedData = Msgpack.Load(BasicCheckpointing.CheckpointPath, options: options);
            ValidateCheckpoint(loadedData, expectedShapes);
            output.WriteLine("Checkpoint validation passed!");
        }
        catch (InvalidDataException e)
        {
            output.WriteLine($"Validation failed: {e.Message}");
        }

        // Or compare with a template and see every difference before restoring anything
        var template = new Dictionary<string, object>
        {
            ["weights"] = new float[3, 2],
            ["bias"] = new float[2],
            ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.0, ["batch_size"] = 0, ["momentum"] = 0.0 },
        };
        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(template, Msgpack.Load(BasicCheckpointing.CheckpointPath));
        output.WriteLine($"Differences from the template: {differences.Count}");
        foreach (CheckpointDifference difference in differences)
        {
            output.WriteLine($"  {difference}");
        }
    }
}
