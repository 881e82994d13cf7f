using System.Globalization;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>Dictionary keys as braintools writes them: Python's <c>str(key)</c>.</summary>
internal static class DictionaryKeys
{
    public static string Of(object? key) => key switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? string.Empty,
    };
}
