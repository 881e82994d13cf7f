namespace BrainTools.Checkpoint.Fuzz.Targets;

/// <summary>
/// A <c>manifest.json</c> beside two intact checkpoints. Whatever the manifest holds, it never locks the run out:
/// <c>new CheckpointManager(dir)</c> opens, a save commits and becomes <see cref="CheckpointManager.Latest"/>, and
/// the manifest it writes reads back without a warning, listing the same checkpoints. No exception is expected.
/// </summary>
internal sealed class ManifestTarget : FuzzTarget
{
    private static readonly byte[] Checkpoint = Msgpack.Serialize(new Dictionary<string, object> { ["w"] = new float[] { 1, 2 }, ["step"] = 1L });

    public override string Name => "manifest";

    public override void Run(byte[] input)
    {
        string directory = ScratchFile.Directory("manifest");
        foreach (string file in Directory.GetFiles(directory))
        {
            File.Delete(file);
        }

        File.WriteAllBytes(Path.Combine(directory, "checkpoint_1.msgpack"), Checkpoint);
        File.WriteAllBytes(Path.Combine(directory, "checkpoint_2.msgpack"), Checkpoint);
        File.WriteAllBytes(Path.Combine(directory, "manifest.json"), input);

        int warnings = 0;
        var options = new CheckpointManagerOptions
        {
            // Retention by metric, so that metrics read from the manifest are ranked and acted on.
            KeepLast = 1,
            KeepBest = 2,
            Msgpack = new MsgpackOptions { Durable = false, OnWarning = _ => warnings++ },
        };

        int[] kept;
        using (var manager = new CheckpointManager(directory, options))
        {
            manager.Save(3, new Dictionary<string, object> { ["step"] = 3L }, metric: 0.5, user: new Dictionary<string, object> { ["epoch"] = 1L });
            Require(manager.Latest?.Step == 3, $"Latest is step {manager.Latest?.Step}, not the step just saved");
            kept = [.. manager.Checkpoints.Select(c => (int)c.Step)];
        }

        warnings = 0;
        using var reopened = new CheckpointManager(directory, options);
        Require(warnings == 0, "the manifest a save wrote reads back with a warning");
        Require(reopened.Checkpoints.Select(c => (int)c.Step).SequenceEqual(kept), "the manifest a save wrote lists other checkpoints");
        Require(reopened.Checkpoints.All(c => File.Exists(c.Path)), "the manifest lists a file that is gone");
    }

    private static void Require(bool condition, string broken)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Manifest promise broken: {broken}.");
        }
    }
}
