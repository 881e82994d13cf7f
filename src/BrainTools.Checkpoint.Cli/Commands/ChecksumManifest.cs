using System.IO.Hashing;
using System.Text.Json;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary>
/// The <c>manifest.json</c> a checkpoint manager writes beside its checkpoints:
/// <c>{"version": 1, "checkpoints": [{"file": "checkpoint_10.msgpack", "size": 1234, "checksum": "xxh3-64:&lt;16 hex&gt;", ...}]}</c>.
/// </summary>
internal static class ChecksumManifest
{
    public const string FileName = "manifest.json";

    public const string Algorithm = "xxh3-64";

    /// <summary>The entry recorded for <paramref name="checkpoint"/> (size and checksum), or null; <paramref name="problem"/> says why a manifest beside it could not be read.</summary>
    public static (long? Size, string? Checksum)? Find(string checkpoint, out string? problem)
    {
        problem = null;
        string manifest = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, FileName);
        if (!File.Exists(manifest) || Path.GetFileName(checkpoint) == FileName)
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(manifest));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("checkpoints", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                // Some other manifest.json (not a checkpoint manager's): nothing recorded for us.
                return null;
            }

            string name = Path.GetFileName(checkpoint);
            foreach (JsonElement entry in list.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("file", out JsonElement file)
                    && file.ValueKind == JsonValueKind.String && file.GetString() == name)
                {
                    long? size = entry.TryGetProperty("size", out JsonElement s) && s.TryGetInt64(out long v) ? v : null;
                    string? checksum = entry.TryGetProperty("checksum", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    return (size, checksum);
                }
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {manifest}: {Output.Terminal.OneLine(e.Message)}";
            return null;
        }
    }

    /// <summary><c>xxh3-64:</c> and the 16 lowercase hex digits of XXH3-64 (seed 0) over the file's bytes.</summary>
    public static string Compute(string path, Action<long>? progress)
    {
        var hash = new XxHash3();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        byte[] buffer = new byte[1 << 20];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            hash.Append(buffer.AsSpan(0, read));
            progress?.Invoke(read);
        }

        return $"{Algorithm}:{hash.GetCurrentHashAsUInt64():x16}";
    }
}
