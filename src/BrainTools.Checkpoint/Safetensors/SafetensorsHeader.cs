using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace BrainTools.Checkpoint;

/// <summary>
/// Reads and checks the header of a safetensors file: an 8-byte little-endian length N, then N bytes of UTF-8 JSON
/// (<c>{"__metadata__": {..}, "name": {"dtype", "shape", "data_offsets": [begin, end]}, ...}</c>). Every length is
/// checked against the file before anything is allocated; the tensors' ranges must be contiguous and cover the rest
/// of the file exactly, as the reference implementation requires.
/// </summary>
internal sealed class SafetensorsHeader
{
    private const string MetadataKey = "__metadata__";

    private SafetensorsHeader(List<SafetensorsTensor> tensors, List<(string Name, string Text)> metadata, List<(string Name, int Tensor, string? Text)> order, long length)
    {
        Tensors = tensors;
        Metadata = metadata;
        Order = order;
        Length = length;
    }

    /// <summary>The tensors in header order.</summary>
    public List<SafetensorsTensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries in header order, as text.</summary>
    public List<(string Name, string Text)> Metadata { get; }

    /// <summary>Every name in header order: a tensor's index, or a metadata entry's text.</summary>
    public List<(string Name, int Tensor, string? Text)> Order { get; }

    /// <summary>The bytes read: the length prefix and the JSON.</summary>
    public long Length { get; }

    /// <summary>Reads the header of an open file of <paramref name="fileLength"/> bytes.</summary>
    /// <exception cref="InvalidCheckpointException">The header is not a valid safetensors header for this file.</exception>
    public static SafetensorsHeader Read(ICheckpointSource source, long fileLength, string path, TensorFileOptions options)
    {
        if (fileLength < 8)
        {
            throw Invalid($"the file has {fileLength} bytes, less than the 8-byte header length", path);
        }

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(source, prefix, 0, path);
        ulong claimed = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (claimed > (ulong)options.MaxHeaderLength || claimed > (ulong)(fileLength - 8))
        {
            throw Invalid($"the header claims {claimed} bytes, but the file has {fileLength - 8} after the length (limit {options.MaxHeaderLength}, TensorFileOptions.MaxHeaderLength)", path);
        }

        byte[] json = new byte[(int)claimed];
        ReadExactly(source, json, 8, path);
        if (!Utf8.IsValid(json))
        {
            throw Invalid("the header is not valid UTF-8", path);
        }

        long dataStart = 8 + (long)claimed;
        var tensors = new List<SafetensorsTensor>();
        var metadata = new List<(string, string)>();
        var order = new List<(string, int, string?)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the header is not a JSON object", path);
            }

            bool seenMetadata = false;
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (seenMetadata || property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw Invalid($"{MetadataKey} is not one object of strings", path);
                    }

                    seenMetadata = true;
                    foreach (JsonProperty item in property.Value.EnumerateObject())
                    {
                        if (item.Value.ValueKind != JsonValueKind.String)
                        {
                            throw Invalid($"{MetadataKey} entry '{Shorten(item.Name)}' is not a string", path);
                        }

                        AddName(names, item.Name, path);
                        string text = item.Value.GetString()!;
                        metadata.Add((item.Name, text));
                        order.Add((item.Name, -1, text));
                    }

                    continue;
                }

                AddName(names, property.Name, path);
                order.Add((property.Name, tensors.Count, null));
                tensors.Add(ReadTensor(property, dataStart, path));
            }
        }
        catch (JsonException e)
        {
            throw Invalid($"the header is not valid JSON: {e.Message}", path);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json decodes escapes lazily: "\ud800" (an unpaired surrogate) passes Parse and throws on GetString or Name.
            throw Invalid($"the header holds a string JSON cannot decode: {e.Message}", path);
        }

        CheckCoverage(tensors, dataStart, fileLength - dataStart, path);
        return new SafetensorsHeader(tensors, metadata, order, dataStart);
    }

    /// <summary>The tree path of a flat name (keys split at <c>.</c>), as errors name it.</summary>
    public static string TreePathOf(string name)
    {
        TreePath tree = TreePath.Root;
        foreach (string key in name.Split(Safetensors.Separator))
        {
            tree = tree.Child(key);
        }

        return tree.ToString();
    }

    private static void AddName(HashSet<string> names, string name, string path)
    {
        if (!names.Add(name))
        {
            throw new InvalidCheckpointException($"the name '{Shorten(name)}' appears twice in the header", path, TreePathOf(name));
        }
    }

    private static SafetensorsTensor ReadTensor(JsonProperty property, long dataStart, string path)
    {
        string name = property.Name;
        string tree = TreePathOf(name);
        JsonElement info = property.Value;
        if (info.ValueKind != JsonValueKind.Object
            || !info.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !info.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !info.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new InvalidCheckpointException($"tensor '{Shorten(name)}' needs dtype, shape and data_offsets [begin, end]", path, tree);
        }

        string dtypeName = dtypeElement.GetString()!;
        DType dtype = SafetensorsDTypes.FromName(dtypeName)
            ?? throw new InvalidCheckpointException($"tensor '{Shorten(name)}' has the dtype '{Shorten(dtypeName)}', which the library does not read", path, tree);
        var dims = new long[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
            {
                throw new InvalidCheckpointException($"tensor '{Shorten(name)}' has an invalid dimension {Shorten(d.GetRawText())}", path, tree);
            }

            dims[i++] = dim;
        }

        if (offsetsElement[0].ValueKind != JsonValueKind.Number || offsetsElement[1].ValueKind != JsonValueKind.Number
            || !offsetsElement[0].TryGetInt64(out long begin) || !offsetsElement[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new InvalidCheckpointException($"tensor '{Shorten(name)}' has invalid data_offsets {Shorten(offsetsElement.GetRawText())}", path, tree);
        }

        if (!Shape.TryGetElementCount(dims, out long count) || count > long.MaxValue / dtype.ItemSize)
        {
            throw new InvalidCheckpointException($"tensor '{Shorten(name)}' has a shape too large to address", path, tree);
        }

        var shape = new Shape(dims);
        if (end - begin != count * dtype.ItemSize)
        {
            throw new InvalidCheckpointException($"tensor '{Shorten(name)}' ({dtypeName} {shape}) needs {count * dtype.ItemSize} bytes, data_offsets give {end - begin}", path, tree);
        }

        return new SafetensorsTensor(name, tree, dtype, shape, dataStart + begin, end - begin);
    }

    private static void CheckCoverage(List<SafetensorsTensor> tensors, long dataStart, long dataLength, string path)
    {
        long expected = 0;
        foreach (SafetensorsTensor tensor in tensors.OrderBy(t => t.ByteOffset).ThenBy(t => t.ByteLength))
        {
            long begin = tensor.ByteOffset - dataStart;
            if (begin != expected)
            {
                throw new InvalidCheckpointException($"tensor '{Shorten(tensor.Name)}' starts at {begin}, but the previous data ends at {expected} (offsets must be contiguous)", path, tensor.Path);
            }

            expected = begin + tensor.ByteLength;
        }

        if (expected != dataLength)
        {
            throw Invalid($"the tensors cover {expected} bytes, the file holds {dataLength} after the header", path);
        }
    }

    private static void ReadExactly(ICheckpointSource source, Span<byte> buffer, long offset, string path)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = source.ReadAt(offset + done, buffer[done..]);
            if (read == 0)
            {
                throw Invalid($"the file ends inside its header ({offset + done} bytes)", path);
            }

            done += read;
        }
    }

    // A hostile name or value may be megabytes long: keep messages to one readable line.
    private static string Shorten(string text) => text.Length <= 120 ? text : $"{text[..50]}...{text[^50..]} ({text.Length} characters)";

    private static InvalidCheckpointException Invalid(string reason, string path) => new(reason, path, ".");
}
