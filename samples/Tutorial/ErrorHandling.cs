using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Best Practices 2. Error Handling" section: a load that reports instead of failing.</summary>
internal static class ErrorHandling
{
    public static void Run(TextWriter output)
    {
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };

        object? SafeLoadCheckpoint(string checkpointPath, object? template = null)
        {
            try
            {
                return template is not null
                    ? Msgpack.Load(checkpointPath, template, Mismatch.Warn, options: options)
                    : Msgpack.Load(checkpointPath, options: options);
            }
            catch (FileNotFoundException e)
            {
                // The message is braintools' own: "Checkpoint not found: {path}".
                output.WriteLine($"Error loading checkpoint: {e.Message}");
                return null;
            }
            catch (CheckpointException e)
            {
                output.WriteLine($"Error loading checkpoint: {e.Message}");
                return null;
            }
        }

        // Test the safe loading function
        object? result = SafeLoadCheckpoint("checkpoints/nonexistent_checkpoint.msgpack");
        output.WriteLine($"Safe load result for missing file: {result ?? "null"}");

        // Test with existing file
        result = SafeLoadCheckpoint(BasicCheckpointing.CheckpointPath);
        if (result is not null)
        {
            output.WriteLine("Successfully loaded existing checkpoint");
        }

        // A damaged file is an InvalidCheckpointException (a CheckpointException), never a crash
        Directory.CreateDirectory("checkpoints");
        File.WriteAllBytes("checkpoints/damaged.msgpack", [0x83, 0xa7, 0x77, 0x65]);
        result = SafeLoadCheckpoint("checkpoints/damaged.msgpack");
        output.WriteLine($"Safe load result for damaged file: {result ?? "null"}");
    }
}
