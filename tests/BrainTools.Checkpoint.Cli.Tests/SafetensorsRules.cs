using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace BrainTools.Checkpoint.Cli.Tests;

/// <summary>
/// The safetensors format rules, checked independently of the tool's own reader: an 8-byte little-endian header
/// length N; N bytes of UTF-8 JSON starting with '{' (trailing spaces allowed as padding) so that the data starts at a
/// multiple of 8; each tensor has a known dtype name, a shape and data_offsets [begin, end] whose length is the
/// element count times the item size; the offsets, sorted, are contiguous from 0 and cover the rest of the file
/// exactly; <c>__metadata__</c> is a map of strings.
/// </summary>
internal static class SafetensorsRules
{
    public static readonly Dictionary<string, int> ItemSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["U16"] = 2, ["I16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["U32"] = 4, ["I32"] = 4, ["F32"] = 4,
        ["U64"] = 8, ["I64"] = 8, ["F64"] = 8, ["C64"] = 8,
    };

    /// <summary>The tensors (name, dtype, shape, begin, end) and metadata of a file that follows the rules; fails the test otherwise.</summary>
    public static (List<(string Name, string DType, long[] Shape, long Begin, long End)> Tensors, Dictionary<string, string> Metadata, long DataStart) Check(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.True(file.Length >= 8, "shorter than the header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.True(n <= (ulong)(file.Length - 8), $"header length {n} passes the end");
        Assert.Equal(0UL, (8 + n) % 8);
        byte[] header = file.AsSpan(8, (int)n).ToArray();
        Assert.Equal((byte)'{', header[0]);
        string text = new UTF8Encoding(false, true).GetString(header);
        Assert.Equal(text.TrimEnd(' '), text.TrimEnd(' ').TrimEnd());

        using JsonDocument json = JsonDocument.Parse(text);
        var tensors = new List<(string, string, long[], long, long)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in json.RootElement.EnumerateObject())
        {
            Assert.True(names.Add(property.Name), $"duplicate key {property.Name}");
            if (property.Name == "__metadata__")
            {
                foreach (JsonProperty item in property.Value.EnumerateObject())
                {
                    Assert.Equal(JsonValueKind.String, item.Value.ValueKind);
                    metadata[item.Name] = item.Value.GetString()!;
                }

                continue;
            }

            JsonElement info = property.Value;
            Assert.Equal(["data_offsets", "dtype", "shape"], info.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            string dtype = info.GetProperty("dtype").GetString()!;
            Assert.True(ItemSizes.ContainsKey(dtype), $"{property.Name}: unknown dtype {dtype}");
            long[] shape = info.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.All(shape, d => Assert.True(d >= 0));
            long[] offsets = info.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(2, offsets.Length);
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * ItemSizes[dtype], offsets[1] - offsets[0]);
            tensors.Add((property.Name, dtype, shape, offsets[0], offsets[1]));
        }

        long expected = 0;
        foreach ((string name, _, _, long begin, long end) in tensors.OrderBy(t => t.Item4).ThenBy(t => t.Item5))
        {
            Assert.True(begin == expected, $"{name} starts at {begin}, the previous tensor ends at {expected}");
            expected = end;
        }

        Assert.Equal(file.Length - 8 - (long)n, expected);
        return (tensors, metadata, 8 + (long)n);
    }
}
