using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Working with BrainState Objects" section: a module's States saved and restored in place.</summary>
internal static class BrainStateObjects
{
    public const string CheckpointPath = "checkpoints/model_state.msgpack";

    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };

        // Initialize model
        var model = new SimpleModel();

        // Create checkpoint data
        var checkpointData = new Dictionary<string, object>
        {
            ["model_state"] = model.States(),
            ["training_step"] = 1000,
            ["epoch"] = 10,
        };

        // Save checkpoint
        Msgpack.Save(CheckpointPath, checkpointData, options: options);

        // Create new model instance for loading
        var newModel = new SimpleModel();
        newModel.RunningMean.Value = [9.0f, 9.0f];
        var template = new Dictionary<string, object>
        {
            ["model_state"] = newModel.States(),
            ["training_step"] = 0,
            ["epoch"] = 0,
        };

        // Load and restore state: newModel's States now hold the saved values
        Dictionary<string, object> restoredData = Msgpack.Load(CheckpointPath, template, options: options);
        output.WriteLine($"Restored to epoch {restoredData["epoch"]}, step {restoredData["training_step"]}");
        output.WriteLine($"running_mean restored in place: [{string.Join(", ", newModel.RunningMean.Value)}]");
    }
}
