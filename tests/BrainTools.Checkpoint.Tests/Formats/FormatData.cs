namespace BrainTools.Checkpoint.Tests.Formats;

/// <summary>The checked-in safetensors and npz files (Data/formats, made by make_damaged.py).</summary>
internal static class FormatData
{
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "formats", name);
}
