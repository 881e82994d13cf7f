using System.Buffers;
using System.Globalization;
using System.Text.Json;

using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// The <c>manifest.json</c> of a checkpoint directory, which other tools (<c>ckpt verify</c>) read too:
/// <c>{"version": 1, "checkpoints": [{"file", "step", "time", "metric", "size", "checksum", "library_version", "user"}]}</c>.
/// It is replaced atomically and conditionally (<see cref="Write"/>), so a reader sees the old or the new list and two
/// managers cannot overwrite each other's entries unnoticed.
/// </summary>
/// <remarks>
/// The manifest is an index that the checkpoint files can rebuild, so reading it never fails: what cannot be read is
/// reported as a warning and left out (a damaged entry whole, a damaged metric or user field alone), and the caller
/// recovers the files it no longer lists from the directory. Writing it never fails on a value either: metrics and
/// user fields are checked when a save is asked for (<see cref="NormalizeUserValue"/>), and entries read back are
/// checked here, so every entry holds only what JSON can carry.
/// </remarks>
internal static class CheckpointManifest
{
    public const string FileName = "manifest.json";
    public const int Version = 1;

    // How much of a damaged value a warning quotes.
    private const int QuoteLimit = 40;

    /// <summary>The manifest of <paramref name="checkpoints"/>, as the bytes <see cref="Write"/> puts in the file.</summary>
    public static byte[] Serialize(IReadOnlyList<CheckpointInfo> checkpoints)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
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
                if (info.Metric is double metric && double.IsFinite(metric))
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
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Replaces the manifest of <paramref name="store"/> with <paramref name="manifest"/> (from <see cref="Serialize"/>),
    /// all at once, and only if it is still the version <paramref name="expectedVersion"/> this manager last read
    /// (none yet: only if there is none), so that two managers cannot overwrite each other's entries unnoticed.
    /// </summary>
    /// <returns>The version written.</returns>
    /// <exception cref="CheckpointConflictException">Another writer replaced the manifest since; it is as that writer left it.</exception>
    /// <exception cref="IOException">The store failed; the old manifest is intact.</exception>
    public static string Write(ICheckpointStore store, byte[] manifest, string? expectedVersion) =>
        StoreWrite.Write(store, FileName, expectedVersion is null ? StoreCondition.IfAbsent : StoreCondition.IfVersion(expectedVersion), stream => stream.Write(manifest)).Version;

    /// <summary>
    /// Reads the manifest of <paramref name="store"/>: the entries that are whole (their file is not checked
    /// here). No manifest gives an empty list; a manifest or an entry that cannot be read is reported through
    /// <paramref name="options"/>' warnings and left out.
    /// </summary>
    /// <param name="store">The checkpoints' store.</param>
    /// <param name="options">Where the warnings go.</param>
    /// <param name="version">The version of the manifest read, also when it is damaged; null when there is none.</param>
    public static List<CheckpointInfo> Read(ICheckpointStore store, MsgpackOptions options, out string? version)
    {
        string path = store.Locate(FileName);
        version = null;
        byte[] content;
        try
        {
            if (store.Find(FileName) is not { } stored)
            {
                return [];
            }

            version = stored.Version;
            using ICheckpointSource source = store.OpenRead(FileName);
            content = new byte[source.Length];
            for (int done = 0, read; done < content.Length; done += read)
            {
                read = source.ReadAt(done, content.AsSpan(done));
                if (read == 0)
                {
                    throw new IOException($"{path} shrank while it was read.");
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn(options, path, $"The checkpoint manifest {path} cannot be read ({e.Message}); the checkpoints are recovered from their files.");
            return [];
        }

        return Parse(content, store, path, options);
    }

    /// <summary>As <see cref="Read"/>, for the manifest's bytes.</summary>
    public static List<CheckpointInfo> Parse(ReadOnlyMemory<byte> content, ICheckpointStore store, string path, MsgpackOptions options)
    {
        // JsonDocument.Parse does not check the UTF-8 inside strings; reading such a string later would throw.
        if (!System.Text.Unicode.Utf8.IsValid(content.Span))
        {
            Warn(options, path, $"The checkpoint manifest {path} is not valid UTF-8; the checkpoints are recovered from their files.");
            return [];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException e)
        {
            Warn(options, path, $"The checkpoint manifest {path} is not valid JSON ({e.Message}); the checkpoints are recovered from their files.");
            return [];
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            string? problem;
            try
            {
                problem = root.ValueKind != JsonValueKind.Object ? $"it is a JSON {Kind(root)}, not an object"
                    : !root.TryGetProperty("version", out JsonElement version) ? "it has no version"
                    : !TryGetWhole(version, out long number) || number != Version ? $"its version is {Quote(version)}, not {Version}"
                    : !root.TryGetProperty("checkpoints", out JsonElement list) || list.ValueKind != JsonValueKind.Array ? "it has no list of checkpoints"
                    : null;
            }
            catch (InvalidOperationException e)
            {
                problem = UndecodableName(e);
            }

            if (problem is not null)
            {
                Warn(options, path, $"The checkpoint manifest {path} cannot be used ({problem}); the checkpoints are recovered from their files.");
                return [];
            }

            var checkpoints = new List<CheckpointInfo>();
            int index = 0;
            foreach (JsonElement entry in root.GetProperty("checkpoints").EnumerateArray())
            {
                string? damage;
                CheckpointInfo? info;
                try
                {
                    damage = ReadEntry(entry, store, path, options, out info);
                }
                catch (InvalidOperationException e)
                {
                    (damage, info) = (UndecodableName(e), null);
                }

                if (damage is not null)
                {
                    Warn(options, path, $"Entry {index} of the checkpoint manifest {path} is damaged ({damage}); it is left out and its file is recovered from the directory.");
                }
                else if (info is not null)
                {
                    checkpoints.Add(info);
                }

                index++;
            }

            return checkpoints;
        }
    }

    /// <summary>Checks a user field's value: a string, a bool or a finite number; strings (and the key) must be valid UTF-16, which JSON needs.</summary>
    /// <exception cref="ArgumentException">Another kind of value, or a string with an unpaired surrogate.</exception>
    public static object NormalizeUserValue(string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidUtf16(key))
        {
            throw new ArgumentException($"The user field name '{key}' has an unpaired surrogate, which a JSON manifest cannot hold.", nameof(key));
        }

        return value switch
        {
            string s when IsValidUtf16(s) => s,
            string => throw new ArgumentException($"The user field '{key}' has an unpaired surrogate, which a JSON manifest cannot hold.", nameof(value)),
            bool => value,
            sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ulong u when u <= long.MaxValue => (long)u,
            float or double or decimal when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) => d,
            _ => throw new ArgumentException($"The user field '{key}' must be a string, a bool or a finite number, not {Describe(value)}.", nameof(value)),
        };
    }

    // Null when the entry is whole (info set); else what is wrong with it.
    private static string? ReadEntry(JsonElement entry, ICheckpointStore store, string path, MsgpackOptions options, out CheckpointInfo? info)
    {
        info = null;
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return $"a JSON {Kind(entry)}, not an object";
        }

        if (!TryGetString(entry, "file", out string? file))
        {
            return "no file name";
        }

        if (file.Length == 0 || Path.GetFileName(file) != file || file.Contains('\0', StringComparison.Ordinal))
        {
            return $"the file '{Shorten(file)}' is not a name inside the directory"; // Never follow a path out of it.
        }

        if (!entry.TryGetProperty("step", out JsonElement stepElement) || !TryGetWhole(stepElement, out long step) || step < 0)
        {
            return $"its step is {Quote(entry, "step")}, not a whole number of 0 or more";
        }

        if (!TryGetString(entry, "time", out string? timeText)
            || !DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            return $"its time is {Quote(entry, "time")}, not a date";
        }

        if (!entry.TryGetProperty("size", out JsonElement sizeElement) || !TryGetWhole(sizeElement, out long size) || size < 0)
        {
            return $"its size is {Quote(entry, "size")}, not a whole number of 0 or more";
        }

        if (!TryGetString(entry, "checksum", out string? checksum) || !FileChecksum.IsWellFormed(checksum))
        {
            return $"its checksum is {Quote(entry, "checksum")}, not {FileChecksum.Prefix} and 16 hex digits";
        }

        string where = $"Entry {Shorten(file)} of the checkpoint manifest {path}";
        double? metric = null;
        if (entry.TryGetProperty("metric", out JsonElement metricElement) && metricElement.ValueKind != JsonValueKind.Null)
        {
            // A number past double's range (1e400) reads as infinity, which JSON cannot carry back.
            if (metricElement.ValueKind == JsonValueKind.Number && metricElement.TryGetDouble(out double value) && double.IsFinite(value))
            {
                metric = value;
            }
            else
            {
                Warn(options, path, $"{where}: its metric {Quote(metricElement)} is not a finite number; it counts as none.");
            }
        }

        string libraryVersion = string.Empty;
        if (entry.TryGetProperty("library_version", out JsonElement versionElement) && !TryGetString(entry, "library_version", out libraryVersion!))
        {
            Warn(options, path, $"{where}: its library version {Quote(versionElement)} is not a string; it is left out.");
            libraryVersion = string.Empty;
        }

        var user = new Dictionary<string, object>(StringComparer.Ordinal);
        if (entry.TryGetProperty("user", out JsonElement userElement))
        {
            if (userElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty field in userElement.EnumerateObject())
                {
                    if (NameOf(field) is not { } name)
                    {
                        Warn(options, path, $"{where}: a user field's name escapes an unpaired surrogate; the field is left out.");
                    }
                    else if (ReadUserValue(field.Value) is { } fieldValue)
                    {
                        user[name] = fieldValue;
                    }
                    else
                    {
                        Warn(options, path, $"{where}: its user field '{Shorten(name)}' ({Quote(field.Value)}) is not a string, a bool or a finite number; it is left out.");
                    }
                }
            }
            else if (userElement.ValueKind != JsonValueKind.Null)
            {
                Warn(options, path, $"{where}: its user fields are a JSON {Kind(userElement)}, not an object; they are left out.");
            }
        }

        info = new CheckpointInfo(file, store.Locate(file), step, time, metric, size, checksum, libraryVersion, user);
        return null;
    }

    private static void WriteUserValue(Utf8JsonWriter json, string key, object value)
    {
        switch (value)
        {
            case string s: json.WriteString(key, s); break;
            case bool b: json.WriteBoolean(key, b); break;
            case long l: json.WriteNumber(key, l); break;
            case double d when double.IsFinite(d): json.WriteNumber(key, d); break;
            default: throw new ArgumentException($"The user field '{key}' must be a string, a bool or a finite number.", nameof(value));
        }
    }

    private static object? ReadUserValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetString(value, out string? text) ? text : null;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number when value.TryGetInt64(out long l):
                return l;
            case JsonValueKind.Number when value.TryGetDouble(out double d) && double.IsFinite(d):
                return d;
            default:
                return null;
        }
    }

    // JsonElement.TryGetInt64 throws on a value that is not a number at all.
    private static bool TryGetWhole(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    private static bool TryGetString(JsonElement entry, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        return entry.TryGetProperty(name, out JsonElement element) && TryGetString(element, out value);
    }

    // A JSON string that escapes an unpaired surrogate (\ud800) is valid JSON but no valid .NET text to write back.
    private static bool TryGetString(JsonElement element, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            value = element.GetString();
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        return value is not null && IsValidUtf16(value);
    }

    // A name that escapes an unpaired surrogate ("\ud800") throws when read, and could not be written back.
    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return IsValidUtf16(property.Name) ? property.Name : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsValidUtf16(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    // TryGetProperty unescapes the names it compares with, and throws on one that escapes an unpaired surrogate
    // ("\ud800"): valid JSON, but no .NET text.
    private static string UndecodableName(InvalidOperationException e) => $"a field name JSON cannot decode ({e.Message})";

    private static void Warn(MsgpackOptions options, string path, string message) =>
        WarningSink.Deliver(new CheckpointWarning(message, FilePath: path), options);

    private static string Quote(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out JsonElement element) ? Quote(element) : "missing";

    private static string Quote(JsonElement element) => Shorten(element.GetRawText());

    private static string Shorten(string text) => text.Length <= QuoteLimit ? text : text[..QuoteLimit] + "...";

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static string Describe(object? value) => value?.GetType().Name ?? "null";
}
