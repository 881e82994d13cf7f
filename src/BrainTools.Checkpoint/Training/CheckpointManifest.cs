using System.Globalization;
using System.Text.Json;

using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// The <c>manifest.json</c> of a checkpoint directory, which other tools (<c>ckpt verify</c>) read too:
/// <c>{"version": 1, "checkpoints": [{"file", "step", "time", "metric", "size", "checksum", "library_version", "user"}]}</c>.
/// It is replaced atomically, so a reader sees the old or the new list.
/// </summary>
internal static class CheckpointManifest
{
    public const string FileName = "manifest.json";
    public const int Version = 1;

    /// <summary>Writes the manifest of <paramref name="checkpoints"/> into <paramref name="directory"/>, atomically.</summary>
    public static void Write(string directory, IReadOnlyList<CheckpointInfo> checkpoints, bool durable)
    {
        AtomicFile.Write(Path.Combine(directory, FileName), overwrite: true, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteStartArray("checkpoints");
            foreach (CheckpointInfo info in checkpoints)
            {
                json.WriteStartObject();
                json.WriteString("file", info.File);
                json.WriteNumber("step", info.Step);
                json.WriteString("time", info.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                if (info.Metric is double metric)
                {
                    json.WriteNumber("metric", metric);
                }
                else
                {
                    json.WriteNull("metric");
                }

                json.WriteNumber("size", info.Size);
                json.WriteString("checksum", info.Checksum);
                json.WriteString("library_version", info.LibraryVersion);
                json.WriteStartObject("user");
                foreach (KeyValuePair<string, object> field in info.User)
                {
                    WriteUserValue(json, field.Key, field.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }, durable);
    }

    /// <summary>
    /// Reads the manifest of <paramref name="directory"/>: null when there is none or it cannot be read (the caller then
    /// rebuilds the list from the files).
    /// </summary>
    public static List<CheckpointInfo>? TryRead(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != Version)
            {
                return null;
            }

            var list = new List<CheckpointInfo>();
            foreach (JsonElement entry in root.GetProperty("checkpoints").EnumerateArray())
            {
                string file = entry.GetProperty("file").GetString() ?? throw new FormatException("file is null");
                if (Path.GetFileName(file) != file)
                {
                    continue; // Only names inside the directory; never follow a path out of it.
                }

                JsonElement metric = entry.GetProperty("metric");
                var user = new Dictionary<string, object>(StringComparer.Ordinal);
                if (entry.TryGetProperty("user", out JsonElement userElement) && userElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty field in userElement.EnumerateObject())
                    {
                        if (ReadUserValue(field.Value) is { } value)
                        {
                            user[field.Name] = value;
                        }
                    }
                }

                list.Add(new CheckpointInfo(
                    file,
                    Path.Combine(directory, file),
                    entry.GetProperty("step").GetInt64(),
                    DateTimeOffset.Parse(entry.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                    metric.ValueKind == JsonValueKind.Number ? metric.GetDouble() : null,
                    entry.GetProperty("size").GetInt64(),
                    entry.GetProperty("checksum").GetString() ?? string.Empty,
                    entry.TryGetProperty("library_version", out JsonElement version) ? version.GetString() ?? string.Empty : string.Empty,
                    user));
            }

            return list;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return null;
        }
    }

    /// <summary>Checks a user field's value: a string, a bool or a finite number.</summary>
    /// <exception cref="ArgumentException">Another kind of value.</exception>
    public static object NormalizeUserValue(string key, object? value) => value switch
    {
        string or bool => value,
        sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u when u <= long.MaxValue => (long)u,
        float or double or decimal when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) => d,
        _ => throw new ArgumentException($"The user field '{key}' must be a string, a bool or a finite number, not {value?.GetType().Name ?? "null"}.", nameof(value)),
    };

    private static void WriteUserValue(Utf8JsonWriter json, string key, object value)
    {
        switch (value)
        {
            case string s: json.WriteString(key, s); break;
            case bool b: json.WriteBoolean(key, b); break;
            case long l: json.WriteNumber(key, l); break;
            case double d: json.WriteNumber(key, d); break;
            default: throw new ArgumentException($"The user field '{key}' must be a string, a bool or a number.", nameof(value));
        }
    }

    private static object? ReadUserValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.TryGetInt64(out long l) ? (object)l : value.GetDouble(),
        _ => null,
    };
}
