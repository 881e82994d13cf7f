using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's "Working with BrainUnit Quantities" section.</summary>
internal static class PhysicalUnits
{
    public const string CheckpointPath = "checkpoints/physics_model.msgpack";

    public static void Run(TextWriter output)
    {
        // Model with physical units
        var physicsModel = new Dictionary<string, Quantity>
        {
            ["time_constant"] = 10.0 * Units.ms,
            ["resistance"] = 100.0 * Units.mohm,
            ["capacitance"] = 200.0 * Units.pF,
            ["voltage_threshold"] = -50.0 * Units.mV,
        };

        var loadedPhysics = new Dictionary<string, Quantity>(physicsModel);

        // Each quantity saves as brainunit's {mantissa, scale, base, dim, factor}: the same bytes braintools writes.
        var options = MsgpackOptions.Default with { Log = output, Verbose = true };
        Msgpack.Save(CheckpointPath, physicsModel, options: options);
        loadedPhysics = Msgpack.Load(CheckpointPath, loadedPhysics, options: options);

        output.WriteLine($"Time constant: {loadedPhysics["time_constant"]}");
        output.WriteLine($"Units preserved: {loadedPhysics["time_constant"].Unit}");
        output.WriteLine($"Saved as: {Msgpack.Load(CheckpointPath, options with { Verbose = false })["time_constant"]}");
        output.WriteLine($"In seconds: {loadedPhysics["time_constant"].To(Units.s)}");
        Quantity rc = loadedPhysics["resistance"] * loadedPhysics["capacitance"];
        output.WriteLine($"R*C: {rc} = {rc.To(Units.ns)}");
    }
}
