using System.Buffers.Binary;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint;

/// <summary>
/// Writes a tree as safetensors: keys joined by <c>.</c>, arrays as tensors, the other leaves in <c>__metadata__</c>
/// as JSON literals. The header lists tensors in tree order; the data is laid out by element size (largest first, as
/// the reference writer does) so every tensor starts aligned to its element size; the header is padded with spaces
/// so the data starts at a multiple of 8.
/// </summary>
internal static class SafetensorsWriter
{
    public static ConversionReport Save(ICheckpointStore store, string objectName, StateNode tree, bool overwrite, TensorFileOptions options)
    {
        var report = new ConversionReport();
        var tensors = new List<(string Name, NdArray Array)>();
        var metadata = new List<(string Name, string Text)>();
        foreach ((string name, TreePath treePath, StateNode node) in FlatNames.Flatten(tree, Safetensors.Separator, report))
        {
            string at = treePath.ToString();
            switch ((node as StateValue)?.Value)
            {
                case NdArray array when SafetensorsDTypes.NameOf(array.DType) is not null:
                    tensors.Add((name, array));
                    break;
                case NdArray array:
                    report.Dropped(at, NoDType(array.DType));
                    break;
                case NumpyScalar scalar when SafetensorsDTypes.NameOf(scalar.DType) is not null:
                    report.Changed(at, $"a numpy {scalar.DType} scalar, stored as a 0-d tensor");
                    tensors.Add((name, scalar.ToNdArray()));
                    break;
                case NumpyScalar scalar:
                    report.Dropped(at, NoDType(scalar.DType));
                    break;
                case byte[] bytes:
                    report.Changed(at, "bytes, stored as a U8 tensor");
                    tensors.Add((name, NdArray.FromBytes(DType.UInt8, new Shape((long)bytes.Length), bytes)));
                    break;
                case Complex:
                    report.Changed(at, "a complex number, stored as its text in __metadata__ (loads back as a string)");
                    metadata.Add((name, SafetensorsMetadataValue.Encode(new StateValue(((StateValue)node).ToString()))!));
                    break;
                default:
                    string? text = SafetensorsMetadataValue.Encode(node);
                    if (text is null)
                    {
                        report.Dropped(at, $"safetensors cannot hold {node.Kind.PythonName()} values");
                    }
                    else
                    {
                        metadata.Add((name, text));
                    }

                    break;
            }
        }

        if (report.HasDropped && !options.AllowLossy)
        {
            throw new LossyConversionException(store.Locate(objectName), "safetensors", report);
        }

        Write(store, objectName, tensors, metadata, overwrite, options);
        return report;
    }

    private static string NoDType(DType dtype) => dtype == DType.Complex128
        ? "safetensors has no complex128 dtype (C64 holds complex64 only)"
        : $"safetensors has no {dtype} dtype";

    private static void Write(ICheckpointStore store, string objectName, List<(string Name, NdArray Array)> tensors, List<(string Name, string Text)> metadata, bool overwrite, TensorFileOptions options)
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
        StoreWrite.Write(store, objectName, StoreWrite.Overwriting(overwrite), file =>
        {
            Stream stream = ProgressStream.Wrap(file, options.Progress);
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

    private static byte[] Header(List<(string Name, NdArray Array)> tensors, List<(string Name, string Text)> metadata, Dictionary<string, (long Begin, long End)> offsets)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
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
                json.WriteString("dtype", SafetensorsDTypes.NameOf(array.DType));
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
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }
}
