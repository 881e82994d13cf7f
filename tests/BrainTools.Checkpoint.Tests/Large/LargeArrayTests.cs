using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MessagePack;

namespace BrainTools.Checkpoint.Tests.Large;

/// <summary>
/// A <c>float[]</c> of 600 million elements (2.4 GB, more than one <see cref="Span{T}"/> of bytes can cover)
/// saves in the chunked form with the default threshold and loads back equal. Runs in every <c>dotnet test</c>.
/// </summary>
[Trait("Category", "Large")]
public class LargeArrayTests
{
    private const int Count = 600_000_000;

    // 2^30 bytes per chunk, as braintools: 268,435,456 float32 each, so 3 chunks for 600 million.
    private const long ChunkElements = MsgpackOptions.DefaultMaxChunkSize / sizeof(float);

    [Fact]
    public void Save_600MillionFloats_ChunkedWithDefaultThresholdAndLoadsBackEqual()
    {
        using var dir = new TempDirectory();
        string path = dir.File("large.msgpack");

        SavePattern(path);

        // Aggressive: give the 2.4 GB back to the OS, not just to the GC, before the load allocates natively.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        AssertChunkedLayout(path);
        LoadAndCompare(path);

        // The loaded array's native memory is freed by a finalizer: run it now, not during the next tests.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Single(Directory.EnumerateFiles(dir.Path));
    }

    // A value per index that is unique, so a chunk put in the wrong place or shifted by one element shows.
    private static uint Pattern(long i) => (uint)i * 2654435761u;

    // Vectorised: the fill and the check must not dominate a test whose subject is the I/O.
    private static void FillPattern(Span<uint> destination, long firstIndex)
    {
        int width = System.Numerics.Vector<uint>.Count;
        Span<uint> lanes = stackalloc uint[width];
        for (int lane = 0; lane < width; lane++)
        {
            lanes[lane] = Pattern(firstIndex + lane);
        }

        var value = new System.Numerics.Vector<uint>(lanes);
        var step = new System.Numerics.Vector<uint>(Pattern(width));
        int i = 0;
        for (; i <= destination.Length - width; i += width)
        {
            value.CopyTo(destination[i..]);
            value += step;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = Pattern(firstIndex + i);
        }
    }

    // In its own method so that the 2.4 GB source array is garbage before the load allocates.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SavePattern(string path)
    {
        float[] data = GC.AllocateUninitializedArray<float>(Count);
        FillPattern(MemoryMarshal.Cast<float, uint>(data.AsSpan()), 0);

        Assert.Equal(path, Msgpack.Save(path, data));
    }

    // Walks the headers of the raw file, seeking past the payloads: the wire form flax writes for a chunked array.
    private static void AssertChunkedLayout(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        byte[] window = ReadWindow(file, 0);
        var reader = new MessagePackReader(window);
        Assert.Equal(3, reader.ReadMapHeader());
        Assert.Equal("__msgpack_chunked_array__", reader.ReadString());
        Assert.True(reader.ReadBoolean());
        Assert.Equal("shape", reader.ReadString());
        Assert.Equal(1, reader.ReadMapHeader());
        Assert.Equal("0", reader.ReadString());
        Assert.Equal(Count, reader.ReadInt64());
        Assert.Equal("chunks", reader.ReadString());
        long chunkCount = (Count + ChunkElements - 1) / ChunkElements;
        Assert.Equal(chunkCount, reader.ReadMapHeader());

        long offset = reader.Consumed;
        long elements = 0;
        for (int i = 0; i < chunkCount; i++)
        {
            byte[] chunkWindow = ReadWindow(file, offset);
            reader = new MessagePackReader(chunkWindow);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.ReadString());

            // ext 32 by hand (MessagePackReader wants the whole payload in its buffer): code, length big-endian, type 1.
            int extAt = (int)reader.Consumed;
            Assert.Equal(MessagePackCode.Ext32, chunkWindow[extAt]);
            long extLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(chunkWindow.AsSpan(extAt + 1));
            Assert.Equal(1, (sbyte)chunkWindow[extAt + 5]);
            long payloadStart = extAt + 6;
            reader = new MessagePackReader(chunkWindow.AsMemory((int)payloadStart));
            Assert.Equal(3, reader.ReadArrayHeader());
            Assert.Equal(1, reader.ReadArrayHeader());
            long length = reader.ReadInt64();
            Assert.Equal(Math.Min(ChunkElements, Count - elements), length);
            Assert.Equal("float32", reader.ReadString());

            // bin 32: the code, then the byte count big-endian; the elements follow.
            int binAt = (int)(payloadStart + reader.Consumed);
            Assert.Equal(MessagePackCode.Bin32, chunkWindow[binAt]);
            long byteCount = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(chunkWindow.AsSpan(binAt + 1));
            Assert.Equal(length * sizeof(float), byteCount);
            long dataStart = binAt + 5;
            Assert.Equal(extLength, dataStart - payloadStart + byteCount);
            offset += dataStart + byteCount;
            elements += length;
        }

        Assert.Equal(Count, elements);
        Assert.Equal(file.Length, offset);
    }

    private static byte[] ReadWindow(FileStream file, long offset)
    {
        var window = new byte[256];
        file.Position = offset;
        int read = file.ReadAtLeast(window, window.Length, throwOnEndOfStream: false);
        return window[..read];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadAndCompare(string path)
    {
        NdArray array = Msgpack.Load(path).AsArray();
        Assert.Equal(DType.Float32, array.DType);
        Assert.Equal(new Shape(Count), array.Shape);

        // Compare in windows against the pattern: no second 2.4 GB copy.
        const int Window = 1 << 24;
        uint[] expected = new uint[Window];
        for (long start = 0; start < array.Length; start += Window)
        {
            int n = (int)Math.Min(Window, array.Length - start);
            ReadOnlySpan<uint> actual = MemoryMarshal.Cast<byte, uint>(array.GetBytes(start * sizeof(float), n * sizeof(float)));
            FillPattern(expected, start);
            if (!actual.SequenceEqual(expected.AsSpan(0, n)))
            {
                int i = actual.CommonPrefixLength(expected.AsSpan(0, n));
                Assert.Fail($"Element {start + i} is 0x{actual[i]:x8}, expected 0x{expected[i]:x8}.");
            }
        }
    }
}
