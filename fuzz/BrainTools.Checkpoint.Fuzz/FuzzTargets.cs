using BrainTools.Checkpoint.Fuzz.Targets;

namespace BrainTools.Checkpoint.Fuzz;

/// <summary>Every fuzz target, by name.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new DeserializeTarget(),
        new OpenTarget(),
        new SafetensorsTarget(),
        new NpzTarget(),
        new ManifestTarget(),
    ];

    /// <summary>The target called <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
