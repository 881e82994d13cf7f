using BrainTools.Checkpoint.Cli.Formats;

namespace BrainTools.Checkpoint.Fuzz.Adapters;

/// <summary>
/// The safetensors reader under fuzzing and the errors it promises. Today the CLI's; when the reader moves into the
/// library, point these two members at it and nothing else changes.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>Reads a safetensors file into a tree.</summary>
    public static StateNode Read(string path) => SafetensorsFile.Read(path);

    /// <summary>Whether <paramref name="error"/> is one the reader promises for a damaged file.</summary>
    public static bool IsPromised(Exception error) => error is CheckpointFormatException or CheckpointException;
}
