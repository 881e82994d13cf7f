namespace BrainTools.Checkpoint.Fuzz.Adapters;

/// <summary>The numpy .npz reader under fuzzing (the library's <see cref="Npz"/>) and the errors it promises.</summary>
internal static class NpzAdapter
{
    /// <summary>Reads an .npz file into a tree.</summary>
    public static StateNode Read(string path) => Npz.Load(path);

    /// <summary>Whether <paramref name="error"/> is one the reader promises for a damaged file.</summary>
    public static bool IsPromised(Exception error) => error is CheckpointException;
}
