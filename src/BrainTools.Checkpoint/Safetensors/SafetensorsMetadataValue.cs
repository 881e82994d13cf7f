using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BrainTools.Checkpoint;

/// <summary>
/// The text form of a non-array leaf in safetensors' <c>__metadata__</c> (a string → string map): JSON literals, so
/// that the type survives a round trip: <c>null</c>, <c>true</c>, <c>32</c>, <c>0.001</c>, <c>1.0</c>, <c>NaN</c>,
/// <c>Infinity</c>, <c>"relu"</c> (a JSON string), <c>{}</c> (an empty map). Text that is none of these, as other
/// writers put there (<c>"format": "pt"</c>), loads as a string.
/// </summary>
internal static class SafetensorsMetadataValue
{
    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The text of a leaf, or null when the leaf is not a metadata value.</summary>
    public static string? Encode(StateNode node) => node switch
    {
        StateMap { Count: 0 } => "{}",
        StateValue { Value: null } => "null",
        StateValue { Value: bool b } => b ? "true" : "false",
        StateValue { Value: long l } => l.ToString(CultureInfo.InvariantCulture),
        StateValue { Value: ulong u } => u.ToString(CultureInfo.InvariantCulture),
        StateValue { Value: double d } => Float(d),
        StateValue { Value: string s } => JsonSerializer.Serialize(s, StringOptions),
        _ => null,
    };

    public static StateNode Decode(string text)
    {
        switch (text)
        {
            case "null": return StateValue.Null;
            case "true": return new StateValue(true);
            case "false": return new StateValue(false);
            case "NaN": return new StateValue(double.NaN);
            case "Infinity": return new StateValue(double.PositiveInfinity);
            case "-Infinity": return new StateValue(double.NegativeInfinity);
            case "{}": return new StateMap();
        }

        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || (text[0] == '-' && text.Length > 1 && char.IsAsciiDigit(text[1]))))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            {
                return new StateValue(l);
            }

            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
            {
                return new StateValue(u);
            }

            if (text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                && Float(d) == text)
            {
                return new StateValue(d);
            }
        }

        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            try
            {
                return new StateValue(JsonSerializer.Deserialize<string>(text));
            }
            catch (JsonException)
            {
                // Not one of ours: keep the text as it is.
            }
        }

        return new StateValue(text);
    }

    // Shortest round-trip digits, always with a '.' or exponent so that 1.0 stays a float.
    private static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? text : text + ".0";
    }
}
