namespace BrainTools.Checkpoint.Fuzz.Adapters;

/// <summary>The safetensors reader under fuzzing (the library's <see cref="Safetensors"/>) and the errors it promises.</summary>
internal static class SafetensorsAdapter
{
    /// <summary>Reads a safetensors file into a tree.</summary>
    public static StateNode Read(string path) => Safetensors.Load(path);

    /// <summary>Whether <paramref name="error"/> is one the reader promises for a damaged file.</summary>
    public static bool IsPromised(Exception error) => error is CheckpointException;
}
