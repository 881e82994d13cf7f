using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>
/// Reads and writes Hugging Face safetensors: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"__metadata__": {..}, "name": {"dtype", "shape", "data_offsets": [begin, end]}, ...}</c>, padded with spaces to
/// a multiple of 8), then the tensor bytes, each tensor's range relative to the end of the header, contiguous and
/// covering the whole rest of the file.
/// </summary>
/// <remarks>
/// A tree is written with its keys joined by <c>.</c> and its non-array leaves in <c>__metadata__</c>
/// (see <see cref="MetadataValue"/>). The header lists the tensors in tree order; the data is laid out by element
/// size (largest first, as the reference writer does) so that every tensor starts aligned to its element size.
/// </remarks>
internal static class SafetensorsFile
{
    public const char Separator = '.';

    /// <summary>The reference implementation refuses headers above 100 MB; so do we, before allocating.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private static readonly (DType DType, string Name)[] DTypeNames =
    [
        (DType.Bool, "BOOL"), (DType.UInt8, "U8"), (DType.Int8, "I8"), (DType.Int16, "I16"), (DType.UInt16, "U16"),
        (DType.Int32, "I32"), (DType.UInt32, "U32"), (DType.Int64, "I64"), (DType.UInt64, "U64"),
        (DType.Float16, "F16"), (DType.BFloat16, "BF16"), (DType.Float32, "F32"), (DType.Float64, "F64"),
        (DType.Float8E4M3FN, "F8_E4M3"), (DType.Float8E5M2, "F8_E5M2"),
    ];

    public static string? NameOf(DType dtype) => DTypeNames.FirstOrDefault(d => d.DType == dtype).Name;

    public static DType? FromName(string name) => DTypeNames.FirstOrDefault(d => d.Name == name).DType;

    public static void Write(string path, StateNode tree, ConversionReport report)
    {
        var tensors = new List<(string Name, NdArray Array)>();
        var metadata = new List<(string Name, string Text)>();
        foreach ((string name, string leafPath, StateNode node) in FlatTree.Flatten(tree, Separator, report))
        {
            object? value = (node as StateValue)?.Value;
            switch (value)
            {
                case NdArray array when NameOf(array.DType) is not null:
                    tensors.Add((name, array));
                    break;
                case NdArray array:
                    report.Dropped(leafPath, $"safetensors has no {array.DType} dtype");
                    break;
                case NumpyScalar scalar when NameOf(scalar.DType) is not null:
                    report.Changed(leafPath, $"a numpy {scalar.DType} scalar, stored as a 0-d tensor");
                    tensors.Add((name, scalar.ToNdArray()));
                    break;
                case NumpyScalar scalar:
                    report.Dropped(leafPath, $"safetensors has no {scalar.DType} dtype");
                    break;
                case byte[] bytes:
                    report.Changed(leafPath, "bytes, stored as a U8 tensor");
                    tensors.Add((name, NdArray.FromBytes(DType.UInt8, new Shape((long)bytes.Length), bytes)));
                    break;
                case System.Numerics.Complex:
                    report.Changed(leafPath, "a complex number, stored as its text in __metadata__ (loads back as a string)");
                    metadata.Add((name, MetadataValue.Encode(new StateValue(((StateValue)node).ToString()))!));
                    break;
                default:
                    string? text = MetadataValue.Encode(node);
                    if (text is null)
                    {
                        report.Dropped(leafPath, $"safetensors cannot hold {Trees.Leaf.KindName(node.Kind)} values");
                    }
                    else
                    {
                        metadata.Add((name, text));
                    }

                    break;
            }
        }

        if (report.HasDropped)
        {
            // The caller decides whether a file with values left out may be written.
            return;
        }

        WriteFile(path, tensors, metadata);
    }

    public static void WriteFile(string path, List<(string Name, NdArray Array)> tensors, List<(string Name, string Text)> metadata)
    {
        // Largest elements first keeps every tensor aligned to its element size (the data starts 8-aligned).
        var layout = tensors.Select((t, i) => (t.Name, t.Array, Index: i)).OrderByDescending(t => t.Array.DType.ItemSize).ThenBy(t => t.Index).ToList();
        var offsets = new Dictionary<string, (long Begin, long End)>(StringComparer.Ordinal);
        long position = 0;
        foreach ((string name, NdArray array, _) in layout)
        {
            offsets[name] = (position, position + array.ByteLength);
            position += array.ByteLength;
        }

        byte[] header = Header(tensors, metadata, offsets);
        AtomicWrite.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach ((_, NdArray array, _) in layout)
            {
                array.WriteTo(stream);
            }
        });
    }

    public static StateNode Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = file.Length;
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8)
        {
            throw new CheckpointFormatException($"the file has {fileLength} bytes, less than the 8-byte header length");
        }

        file.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength || (long)headerLength > fileLength - 8)
        {
            throw new CheckpointFormatException($"the header claims {headerLength} bytes, but the file has {fileLength - 8} after the length (limit {MaxHeaderLength})");
        }

        byte[] header = new byte[headerLength];
        file.ReadExactly(header);
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw new CheckpointFormatException("the header is not valid UTF-8");
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        var entries = new List<(string Name, StateNode? Node, DType? DType, Shape Shape, long Begin, long End)>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException("the header is not a JSON object");
            }

            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new CheckpointFormatException("__metadata__ is not an object of strings");
                    }

                    foreach (JsonProperty item in property.Value.EnumerateObject())
                    {
                        string text = item.Value.ValueKind == JsonValueKind.String
                            ? item.Value.GetString()!
                            : throw new CheckpointFormatException($"__metadata__ entry '{item.Name}' is not a string");
                        entries.Add((item.Name, MetadataValue.Decode(text), null, default, 0, 0));
                    }

                    continue;
                }

                entries.Add(ReadTensorInfo(property));
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"the header is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reads escapes lazily: "\ud800" (an unpaired surrogate) passes Parse and throws on GetString.
            throw new CheckpointFormatException($"the header holds a string JSON cannot decode: {e.Message}");
        }

        CheckOffsets(entries.Where(e => e.DType is not null).Select(e => (e.Name, e.Begin, e.End)), dataLength);
        var items = new List<(string, StateNode)>(entries.Count);
        foreach ((string name, StateNode? node, DType? dtype, Shape shape, long begin, long end) in entries)
        {
            if (node is not null)
            {
                items.Add((name, node));
                continue;
            }

            if (end - begin > int.MaxValue)
            {
                throw new CheckpointFormatException($"tensor '{name}' has {end - begin} bytes, more than the tool reads into one array");
            }

            NdArray array = NdArray.Zeros(dtype!, shape);
            file.Position = dataStart + begin;
            file.ReadExactly(array.AsSpan<byte>());
            items.Add((name, new StateValue(array)));
        }

        return FlatTree.Nest(items, Separator);
    }

    private static (string, StateNode?, DType?, Shape, long, long) ReadTensorInfo(JsonProperty property)
    {
        string name = property.Name;
        JsonElement info = property.Value;
        if (info.ValueKind != JsonValueKind.Object
            || !info.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !info.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !info.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new CheckpointFormatException($"tensor '{name}' needs dtype, shape and data_offsets [begin, end]");
        }

        string dtypeName = dtypeElement.GetString()!;
        DType dtype = FromName(dtypeName) ?? throw new CheckpointFormatException($"tensor '{name}' has the dtype {dtypeName}, which the tool does not read");
        var dims = new List<long>();
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (!d.TryGetInt64(out long dim) || dim < 0)
            {
                throw new CheckpointFormatException($"tensor '{name}' has an invalid dimension {d}");
            }

            dims.Add(dim);
        }

        if (!offsetsElement[0].TryGetInt64(out long begin) || !offsetsElement[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new CheckpointFormatException($"tensor '{name}' has invalid data_offsets {offsetsElement}");
        }

        long count = 1;
        foreach (long d in dims)
        {
            if (d != 0 && count > long.MaxValue / d / dtype.ItemSize)
            {
                throw new CheckpointFormatException($"tensor '{name}' has a shape too large to address");
            }

            count *= d;
        }

        if (end - begin != count * dtype.ItemSize)
        {
            throw new CheckpointFormatException($"tensor '{name}' ({dtypeName} {FormatShape(dims)}) needs {count * dtype.ItemSize} bytes, data_offsets give {end - begin}");
        }

        return (name, null, dtype, new Shape(dims.ToArray()), begin, end);
    }

    private static void CheckOffsets(IEnumerable<(string Name, long Begin, long End)> tensors, long dataLength)
    {
        long expected = 0;
        foreach ((string name, long begin, long end) in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (begin != expected)
            {
                throw new CheckpointFormatException($"tensor '{name}' starts at {begin}, but the previous data ends at {expected} (offsets must be contiguous)");
            }

            expected = end;
        }

        if (expected != dataLength)
        {
            throw new CheckpointFormatException($"the tensors cover {expected} bytes, the file holds {dataLength} after the header");
        }
    }

    private static byte[] Header(List<(string Name, NdArray Array)> tensors, List<(string Name, string Text)> metadata, Dictionary<string, (long Begin, long End)> offsets)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach ((string name, string text) in metadata)
                {
                    json.WriteString(name, text);
                }

                json.WriteEndObject();
            }

            foreach ((string name, NdArray array) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", NameOf(array.DType));
                json.WriteStartArray("shape");
                foreach (long d in array.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offsets[name].Begin);
                json.WriteNumberValue(offsets[name].End);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data starts at a multiple of 8 bytes from the file's start.
        int padding = (int)((8 - ((8 + buffer.Length) % 8)) % 8);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }

    private static string FormatShape(List<long> dims) => new Shape(dims.ToArray()).ToString();
}
