using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace BrainTools.Checkpoint.Tests.Interop;

/// <summary>One entry of <c>vectors/manifest.json</c>: a file, the chunk size it was written with, and the tree it holds.</summary>
internal sealed record ManifestEntry(string Name, string File, long MaxChunkSize, JsonElement Tree)
{
    public string FilePath => Path.Combine(InteropDirectory.Vectors, File);

    public override string ToString() => Name;
}

/// <summary>Reads the manifest and builds its trees with the library's own types.</summary>
internal static class Manifest
{
    private static readonly Lazy<IReadOnlyDictionary<string, ManifestEntry>> Entries = new(Read);

    public static IReadOnlyDictionary<string, ManifestEntry> All => Entries.Value;

    public static IEnumerable<object[]> Names() => All.Keys.Select(name => new object[] { name });

    /// <summary>The manifest's node form (see interop/README.md) as a <see cref="StateNode"/>.</summary>
    public static StateNode Build(JsonElement node)
    {
        string t = node.GetProperty("t").GetString()!;
        return t switch
        {
            "map" => BuildMap(node.GetProperty("items")),
            "ndarray" => new StateValue(NdArray.FromBytes(
                DType.FromName(node.GetProperty("dtype").GetString()!),
                new Shape(node.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()),
                Convert.FromBase64String(node.GetProperty("b64").GetString()!))),
            "npscalar" => new StateValue(NumpyScalar.FromBytes(
                DType.FromName(node.GetProperty("dtype").GetString()!),
                Convert.FromBase64String(node.GetProperty("b64").GetString()!))),
            "int" => BuildInt(node.GetProperty("v").GetString()!),
            "float" => new StateValue(BitConverter.Int64BitsToDouble(unchecked((long)ulong.Parse(node.GetProperty("bits").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))),
            "complex" => new StateValue(new Complex(Bits(node, "re_bits"), Bits(node, "im_bits"))),
            "str" => new StateValue(node.GetProperty("v").GetString()),
            "bytes" => new StateValue(Convert.FromBase64String(node.GetProperty("b64").GetString()!)),
            "bool" => new StateValue(node.GetProperty("v").GetBoolean()),
            "nil" => StateValue.Null,
            _ => throw new NotSupportedException($"The manifest node form '{t}' is unknown to the test harness."),
        };
    }

    private static double Bits(JsonElement node, string name) =>
        BitConverter.Int64BitsToDouble(unchecked((long)ulong.Parse(node.GetProperty(name).GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    private static StateValue BuildInt(string text)
    {
        BigInteger value = BigInteger.Parse(text, CultureInfo.InvariantCulture);
        return value > long.MaxValue ? new StateValue((ulong)value) : new StateValue((long)value);
    }

    private static StateMap BuildMap(JsonElement items)
    {
        var map = new StateMap();
        foreach (JsonElement pair in items.EnumerateArray())
        {
            map.Add(pair[0].GetString()!, Build(pair[1]));
        }

        return map;
    }

    private static IReadOnlyDictionary<string, ManifestEntry> Read()
    {
        string path = Path.Combine(InteropDirectory.Vectors, "manifest.json");
        using JsonDocument document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var entries = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        foreach (JsonProperty entry in document.RootElement.EnumerateObject())
        {
            entries[entry.Name] = new ManifestEntry(
                entry.Name,
                entry.Value.GetProperty("file").GetString()!,
                entry.Value.TryGetProperty("max_chunk_size", out JsonElement chunk) ? chunk.GetInt64() : MsgpackOptions.DefaultMaxChunkSize,
                entry.Value.GetProperty("tree").Clone());
        }

        return entries;
    }
}
