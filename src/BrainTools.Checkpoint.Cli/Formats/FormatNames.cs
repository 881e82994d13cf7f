namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>Chooses a <see cref="CheckpointFormat"/> from a file extension or a <c>--to</c> value.</summary>
internal static class FormatNames
{
    public const string Choices = "msgpack, safetensors, npz";

    /// <summary>The format a path's or blob URL's extension names (a URL's query is not part of it).</summary>
    public static CheckpointFormat FromPath(string path) => Path.GetExtension(Storage.Locations.Display(path)).ToLowerInvariant() switch
    {
        ".safetensors" => CheckpointFormat.Safetensors,
        ".npz" => CheckpointFormat.Npz,
        _ => CheckpointFormat.Msgpack,
    };

    public static bool TryParse(string name, out CheckpointFormat format)
    {
        switch (name.ToLowerInvariant())
        {
            case "msgpack":
                format = CheckpointFormat.Msgpack;
                return true;
            case "safetensors":
                format = CheckpointFormat.Safetensors;
                return true;
            case "npz":
                format = CheckpointFormat.Npz;
                return true;
            default:
                format = default;
                return false;
        }
    }

    public static string Name(CheckpointFormat format) => format.ToString().ToLowerInvariant();
}
