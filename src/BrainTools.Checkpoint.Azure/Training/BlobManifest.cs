using System.Globalization;
using System.Text.Json;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// The <c>manifest.json</c> of a checkpoint prefix, in the format of the core CheckpointManager's manifest (which is
/// internal there, so it is mirrored here until the core offers it over a storage abstraction):
/// <c>{"version": 1, "checkpoints": [{"file", "step", "time", "metric", "size", "checksum", "library_version", "user"}]}</c>,
/// <c>file</c> being the step blob's name relative to the prefix.
/// </summary>
internal static class BlobManifest
{
    public const string FileName = "manifest.json";
    public const int Version = 1;

    public static byte[] Write(IReadOnlyList<CheckpointInfo> checkpoints)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
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
                    switch (field.Value)
                    {
                        case string s: json.WriteString(field.Key, s); break;
                        case bool b: json.WriteBoolean(field.Key, b); break;
                        case long l: json.WriteNumber(field.Key, l); break;
                        case double d: json.WriteNumber(field.Key, d); break;
                        default: throw new ArgumentException($"The user field '{field.Key}' must be a string, a bool or a number.", nameof(checkpoints));
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The entries of a manifest; <paramref name="urlOf"/> gives each step blob's URL (its <see cref="CheckpointInfo.Path"/>).</summary>
    /// <exception cref="InvalidCheckpointException">The manifest is not one this version writes; names <paramref name="manifestUri"/>.</exception>
    public static List<CheckpointInfo> Read(ReadOnlyMemory<byte> bytes, Func<string, string> urlOf, Uri manifestUri)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            int version = root.GetProperty("version").GetInt32();
            if (version != Version)
            {
                throw new FormatException($"manifest version {version}, this library reads {Version}");
            }

            var list = new List<CheckpointInfo>();
            foreach (JsonElement entry in root.GetProperty("checkpoints").EnumerateArray())
            {
                string file = entry.GetProperty("file").GetString() ?? throw new FormatException("file is null");
                if (file.Contains('/', StringComparison.Ordinal) || file.Contains("..", StringComparison.Ordinal))
                {
                    continue; // Only blobs directly under the prefix; never follow a name out of it.
                }

                JsonElement metric = entry.GetProperty("metric");
                var user = new Dictionary<string, object>(StringComparer.Ordinal);
                if (entry.TryGetProperty("user", out JsonElement fields) && fields.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty field in fields.EnumerateObject())
                    {
                        object? value = field.Value.ValueKind switch
                        {
                            JsonValueKind.String => field.Value.GetString(),
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            JsonValueKind.Number => field.Value.TryGetInt64(out long l) ? (object)l : field.Value.GetDouble(),
                            _ => null,
                        };
                        if (value is not null)
                        {
                            user[field.Name] = value;
                        }
                    }
                }

                list.Add(new CheckpointInfo(
                    file,
                    urlOf(file),
                    entry.GetProperty("step").GetInt64(),
                    DateTimeOffset.Parse(entry.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                    metric.ValueKind == JsonValueKind.Number ? metric.GetDouble() : null,
                    entry.GetProperty("size").GetInt64(),
                    entry.GetProperty("checksum").GetString() ?? string.Empty,
                    entry.TryGetProperty("library_version", out JsonElement library) ? library.GetString() ?? string.Empty : string.Empty,
                    user));
            }

            return list;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidCheckpointException($"the checkpoint manifest cannot be read: {e.Message}", manifestUri.ToString(), null, e);
        }
    }
}
