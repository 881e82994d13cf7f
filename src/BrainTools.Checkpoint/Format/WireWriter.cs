using System.Buffers;
using System.Globalization;
using System.Numerics;
using MessagePack;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Writes a state-dict tree to a stream in the wire format of flax/braintools. Headers go through a pooled
/// buffer; array payloads go from the array's memory straight to the stream, with no copy in between.
/// </summary>
/// <remarks>
/// The bytes are deterministic (map order is insertion order, ints take their smallest encoding, floats are
/// float64), so they equal what braintools writes for the same tree.
/// </remarks>
internal sealed class WireWriter
{
    // Payloads smaller than this are copied into the header buffer: a separate stream write costs more.
    private const int DirectWriteThreshold = 16 * 1024;

    private readonly Stream _stream;
    private readonly long _maxChunkSize;
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly Action<NdArray>? _arrayWritten;

    /// <param name="stream">Where the bytes go.</param>
    /// <param name="options">The chunk size.</param>
    /// <param name="arrayWritten">Called with each array leaf once its bytes are in the stream (an async save frees its snapshot copy then).</param>
    public WireWriter(Stream stream, MsgpackOptions options, Action<NdArray>? arrayWritten = null)
    {
        _stream = stream;
        _maxChunkSize = options.MaxChunkSize;
        _arrayWritten = arrayWritten;
    }

    /// <summary>Writes <paramref name="root"/> and flushes everything to the stream.</summary>
    public void Write(StateNode root)
    {
        using var buffer = new StreamBufferWriter(_stream);
        var writer = new MessagePackWriter(buffer);
        // braintools chunks an oversized top-level array as well as those in maps.
        if (root is StateValue { Value: NdArray array } && array.ByteLength > _maxChunkSize)
        {
            WriteChunked(ref writer, buffer, array, TreePath.Root);
            _arrayWritten?.Invoke(array);
        }
        else
        {
            WriteNode(ref writer, buffer, root, TreePath.Root);
        }

        writer.Flush();
        buffer.Drain();
    }

    /// <summary>The payload of an ext-1 (or ext-3) value: msgpack <c>[shape, dtype, bytes]</c>, as flax's <c>_ndarray_to_bytes</c>.</summary>
    internal static long NdArrayPayloadLength(NdArray array, ArrayBufferWriter<byte> prefix)
    {
        WriteNdArrayPrefix(array.Shape.Dimensions, array.DType, array.ByteLength, prefix);
        return prefix.WrittenCount + array.ByteLength;
    }

    private static void WriteNdArrayPrefix(ReadOnlySpan<long> shape, DType dtype, long byteLength, ArrayBufferWriter<byte> prefix)
    {
        prefix.ResetWrittenCount();
        var writer = new MessagePackWriter(prefix);
        writer.WriteArrayHeader(3);
        writer.WriteArrayHeader(shape.Length);
        foreach (long d in shape)
        {
            writer.Write(d);
        }

        writer.Write(dtype.Name);
        WriteBinHeader(ref writer, byteLength);
        writer.Flush();
    }

    private static void WriteBinHeader(ref MessagePackWriter writer, long length)
    {
        if (length <= int.MaxValue)
        {
            writer.WriteBinHeader((int)length);
            return;
        }

        // bin 32 holds up to 4 GiB - 1, past the int that MessagePackWriter takes.
        Span<byte> header = writer.GetSpan(5);
        header[0] = MessagePackCode.Bin32;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)length);
        writer.Advance(5);
    }

    private void WriteNode(ref MessagePackWriter writer, StreamBufferWriter buffer, StateNode node, TreePath path)
    {
        if (node is StateMap map)
        {
            // A tree deeper than the thread's stack can follow is refused, not a stack overflow that kills the process.
            if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new CheckpointException($"The tree nests deeper than this thread's stack can follow at path {path}", null, path.ToString());
            }

            writer.WriteMapHeader(map.Count);
            foreach (KeyValuePair<string, StateNode> item in map)
            {
                writer.Write(item.Key);
                TreePath childPath = path.Child(item.Key);
                if (item.Value is StateValue { Value: NdArray array } && array.ByteLength > _maxChunkSize)
                {
                    WriteChunked(ref writer, buffer, array, childPath);
                    _arrayWritten?.Invoke(array);
                }
                else
                {
                    WriteNode(ref writer, buffer, item.Value, childPath);
                }
            }

            return;
        }

        object? value = ((StateValue)node).Value;
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool b: writer.Write(b); break;
            case long l: writer.Write(l); break;
            case ulong u: writer.Write(u); break;
            case double d: writer.Write(d); break;
            case string s: writer.Write(s); break;
            case byte[] bytes: writer.Write(bytes.AsSpan()); break;
            case Complex c: WriteComplex(ref writer, c); break;
            case NdArray array:
                WriteNdArray(ref writer, buffer, array, ExtensionTypeCodes.NdArray, path);
                _arrayWritten?.Invoke(array);
                break;
            case NumpyScalar scalar: WriteNdArray(ref writer, buffer, scalar.ToNdArray(), ExtensionTypeCodes.NumpyScalar, path); break;
            case ExtensionValue ext:
                writer.WriteExtensionFormatHeader(new ExtensionHeader(ext.TypeCode, (uint)ext.Data.Length));
                writer.WriteRaw(ext.Data.Span);
                break;
            default: throw new CheckpointException($"Cannot write a {value.GetType()} at path {path}", null, path.ToString());
        }
    }

    private void WriteComplex(ref MessagePackWriter writer, Complex value)
    {
        _scratch.ResetWrittenCount();
        var inner = new MessagePackWriter(_scratch);
        inner.WriteArrayHeader(2);
        inner.Write(value.Real);
        inner.Write(value.Imaginary);
        inner.Flush();
        writer.WriteExtensionFormatHeader(new ExtensionHeader(ExtensionTypeCodes.Complex, (uint)_scratch.WrittenCount));
        writer.WriteRaw(_scratch.WrittenSpan);
    }

    private void WriteNdArray(ref MessagePackWriter writer, StreamBufferWriter buffer, NdArray array, sbyte typeCode, TreePath path)
    {
        long payload = NdArrayPayloadLength(array, _scratch);
        if (payload > uint.MaxValue)
        {
            throw new CheckpointException(
                $"The array at path {path} has {array.ByteLength} bytes, more than one msgpack value can hold (4 GiB); put it in a map so that it is chunked.",
                null,
                path.ToString());
        }

        writer.WriteExtensionFormatHeader(new ExtensionHeader(typeCode, (uint)payload));
        writer.WriteRaw(_scratch.WrittenSpan);
        if (array.ByteLength < DirectWriteThreshold)
        {
            writer.WriteRaw(array.GetBytes(0, (int)array.ByteLength));
            return;
        }

        writer.Flush();
        buffer.Drain();
        array.WriteTo(_stream);
    }

    // flax's _chunk: {marker: True, shape: {"0": d0, ...}, chunks: {"0": flat[0:n], ...}}, n = max(1, MAX_CHUNK_SIZE // itemsize).
    private void WriteChunked(ref MessagePackWriter writer, StreamBufferWriter buffer, NdArray array, TreePath path)
    {
        long chunkLength = Math.Max(1, _maxChunkSize / array.DType.ItemSize);
        long chunkCount = (array.Length + chunkLength - 1) / chunkLength;
        writer.WriteMapHeader(3);
        writer.Write(ExtensionTypeCodes.ChunkedArrayMarker);
        writer.Write(true);
        writer.Write("shape");
        writer.WriteMapHeader(array.Rank);
        for (int i = 0; i < array.Rank; i++)
        {
            writer.Write(i.ToString(CultureInfo.InvariantCulture));
            writer.Write(array.Shape[i]);
        }

        writer.Write("chunks");
        writer.WriteMapHeader(checked((int)chunkCount));
        for (long i = 0; i < chunkCount; i++)
        {
            writer.Write(i.ToString(CultureInfo.InvariantCulture));
            long start = i * chunkLength;
            long length = Math.Min(chunkLength, array.Length - start);
            var chunk = new NdArray(array.DType, new Shape(length), array.Storage, array.ByteOffset + (start * array.DType.ItemSize));
            WriteNdArray(ref writer, buffer, chunk, ExtensionTypeCodes.NdArray, path);
        }
    }
}
