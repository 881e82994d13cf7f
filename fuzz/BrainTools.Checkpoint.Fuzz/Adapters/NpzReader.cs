using BrainTools.Checkpoint.Cli.Formats;

namespace BrainTools.Checkpoint.Fuzz.Adapters;

/// <summary>
/// The numpy .npz reader under fuzzing and the errors it promises. Today the CLI's; when the reader moves into the
/// library, point these two members at it and nothing else changes.
/// </summary>
internal static class NpzReader
{
    /// <summary>Reads an .npz file into a tree (members it cannot hold are reported and left out).</summary>
    public static StateNode Read(string path) => NpzFile.Read(path, new ConversionReport());

    /// <summary>Whether <paramref name="error"/> is one the reader promises for a damaged file.</summary>
    public static bool IsPromised(Exception error) => error is CheckpointFormatException or CheckpointException;
}
