using System.Buffers.Binary;
using System.Diagnostics;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>Issue 13's breaks of the hostile-input promise: typed errors, bounded memory, refused before read whole.</summary>
public class HostileInputTests
{
    private const long ThreeGiB = 3L << 30;

    [Fact]
    public void Load_FourMillionEmptyMapsUntrusted_RefusedWithinBound()
    {
        byte[] data = EmptyMaps(4_000_000);
        using var dir = new TempDirectory();
        string path = dir.File("maps.msgpack");
        File.WriteAllBytes(path, data);
        long bound = (4 * data.LongLength) + (64L << 20);

        foreach (Func<StateNode> load in (Func<StateNode>[])[
            () => Msgpack.Load(path, options: MsgpackOptions.UntrustedData),
            () => Msgpack.Load(new MemoryStream(data), MsgpackOptions.UntrustedData),
            () => Msgpack.Deserialize(data, MsgpackOptions.UntrustedData)])
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();

            InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => load());

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal($"the data holds more than {1 << 18} values (maps and leaves; MsgpackOptions.MaxNodes)", e.Reason);
            Assert.True(allocated < bound, $"allocated {allocated} bytes for {data.Length}, bound {bound}");
            // Linear: a quadratic walk of 4 million entries would take hours (the bound allows for a loaded machine).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        }
    }

    [Fact]
    public void Open_FourMillionEmptyMapsUntrusted_RefusedWithTheSameError()
    {
        using var dir = new TempDirectory();
        string path = dir.File("maps.msgpack");
        File.WriteAllBytes(path, EmptyMaps(4_000_000));

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(path, MsgpackOptions.UntrustedData));

        Assert.Equal($"the data holds more than {1 << 18} values (maps and leaves; MsgpackOptions.MaxNodes)", e.Reason);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Load_ManyValuesWithinLimit_Loads()
    {
        byte[] data = EmptyMaps(1000);

        StateNode loaded = Msgpack.Deserialize(data, MsgpackOptions.UntrustedData with { MaxNodes = 1001 });

        Assert.Equal(1000, ((StateMap)loaded).Count);
        Assert.Throws<InvalidCheckpointException>(() => Msgpack.Deserialize(data, MsgpackOptions.UntrustedData with { MaxNodes = 1000 }));
    }

    [Fact]
    public void Load_KeysOverMaxKeyBytes_Refused()
    {
        byte[] data = Msgpack.Serialize(new Dictionary<string, object> { ["abcd"] = 1L, ["efgh"] = 2L });

        Assert.Equal(2, ((StateMap)Msgpack.Deserialize(data, MsgpackOptions.Default with { MaxKeyBytes = 8 })).Count);
        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Deserialize(data, MsgpackOptions.Default with { MaxKeyBytes = 7 }));
        Assert.Equal("the map keys hold more than 7 bytes in all (MsgpackOptions.MaxKeyBytes)", e.Reason);
        Assert.Equal(".", e.TreePath);
    }

    [Fact]
    public void Load_AllZeroSparseFile_RefusedBeforeReadingItAll()
    {
        using var dir = new TempDirectory();
        string path = dir.File("zeros.msgpack");
        using (FileStream file = File.Create(path))
        {
            file.SetLength(ThreeGiB);
        }

        var clock = Stopwatch.StartNew();
        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path));
        clock.Stop();

        // One byte (the int 0) and then garbage: seen in the first 64 KiB, refused without reading 3 GiB.
        Assert.Equal($"{ThreeGiB - 1} bytes follow the end of the checkpoint", e.Reason);
        Assert.Equal(1, e.ByteOffset);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Load_AllZeroSeekableStream_ReadsOnlyItsStart()
    {
        using var stream = new ZeroStream(ThreeGiB, canSeek: true);

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(stream, MsgpackOptions.UntrustedData));

        Assert.Equal($"{ThreeGiB - 1} bytes follow the end of the checkpoint", e.Reason);
        Assert.Equal(64 << 10, stream.BytesRead);
    }

    [Fact]
    public void Load_StreamOverMaxFileSize_BraintoolsSentenceFirst()
    {
        byte[] data = Msgpack.Serialize(new Dictionary<string, object> { ["x"] = new byte[1000] });

        InvalidCheckpointException seekable = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(new MemoryStream(data), MsgpackOptions.Default with { MaxFileSize = 1000 }));
        InvalidCheckpointException bytes = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Deserialize(data, MsgpackOptions.Default with { MaxFileSize = 1000 }));
        InvalidCheckpointException endless = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(new ZeroStream(ThreeGiB, canSeek: false), MsgpackOptions.Default with { MaxFileSize = 1000 }));

        string expected = $"Checkpoint data too large: {data.Length} bytes exceeds maximum 1000 bytes (MsgpackOptions.MaxFileSize)";
        Assert.Equal(expected, seekable.Reason);
        Assert.Equal(expected, bytes.Reason);
        Assert.StartsWith("Checkpoint data too large: more than 1000 bytes exceeds maximum 1000 bytes", endless.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOverMaxFileSize_BraintoolsSentenceFirst()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.msgpack");
        File.WriteAllBytes(path, new byte[2000]);

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path, options: MsgpackOptions.Default with { MaxFileSize = 1000 }));

        Assert.Equal("Checkpoint data too large: 2000 bytes exceeds maximum 1000 bytes (MsgpackOptions.MaxFileSize)", e.Reason);
        Assert.Equal(e.Reason, Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(path, MsgpackOptions.Default with { MaxFileSize = 1000 })).Reason);
    }

    [Fact]
    public void Load_ZeroSizeArrayWithDimensionPast2Pow31_LoadsAndRefusesDotNetCopyNamingShapeAndLimit()
    {
        string path = Path.Combine(HostileData.Directory, HostileData.ZeroSizeHugeDimension);

        NdArray loaded = Msgpack.Load(path)["w"].AsArray();
        using CheckpointReader reader = Msgpack.Open(path);

        // numpy holds this shape, so the file loads (and saves back the same); a .NET array cannot have that dimension.
        Assert.Equal(new Shape(2147483648L, 0), loaded.Shape);
        Assert.Equal(new Shape(2147483648L, 0), reader["w"].Shape);
        Assert.Equal(File.ReadAllBytes(path), Msgpack.Serialize(Msgpack.Load(path)));
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => loaded.ToArray());
        Assert.Equal($"An array of shape (2147483648, 0) cannot be copied into a .NET array: its dimension 2147483648 is over {Array.MaxLength}, the most a .NET array dimension can hold (Array.MaxLength).", e.Message);
        Assert.Throws<NotSupportedException>(() => loaded.ToArray<float>());
        Assert.Throws<NotSupportedException>(() => loaded.ToTensor<float>());
    }

    [Fact]
    public void ReadTree_ChunkedArrayOfFileTruncatedWhileOpen_ThrowsInvalidCheckpointNotSigbus()
    {
        using var dir = new TempDirectory();
        string path = dir.File("chunked.msgpack");
        float[] values = [.. Enumerable.Range(0, 64 << 10).Select(i => (float)i)];
        Msgpack.Save(path, new Dictionary<string, object> { ["w"] = values }, options: MsgpackOptions.Default with { MaxChunkSize = 16 << 10 });
        using CheckpointReader reader = Msgpack.Open(path);
        Assert.True(reader["w"].IsChunked);

        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            file.SetLength(4096);
        }

        InvalidCheckpointException tree = Assert.Throws<InvalidCheckpointException>(() => reader.ReadTree());
        InvalidCheckpointException array = Assert.Throws<InvalidCheckpointException>(() => reader.ReadArray("w"));
        InvalidCheckpointException rows = Assert.Throws<InvalidCheckpointException>(() => reader.ReadRows("w", 10_000, 10));

        Assert.StartsWith("the file shrank while it was read", tree.Reason, StringComparison.Ordinal);
        Assert.Equal("./w", tree.TreePath);
        Assert.Equal(path, array.FilePath);
        Assert.StartsWith("the file shrank while it was read", rows.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadTree_ChunkedArray_EqualsFullLoad()
    {
        using var dir = new TempDirectory();
        string path = dir.File("chunked.msgpack");
        float[] values = [.. Enumerable.Range(0, 10_000).Select(i => (float)i)];
        Msgpack.Save(path, new Dictionary<string, object> { ["w"] = values }, options: MsgpackOptions.Default with { MaxChunkSize = 4096 });
        using CheckpointReader reader = Msgpack.Open(path);

        StateNode tree = reader.ReadTree();

        Assert.True(Msgpack.Load(path).DeepEquals(tree));
        Assert.Equal(values[2000..2010], reader.ReadRows("w", 2000, 10).ToArray<float>());
    }

    [Fact]
    public void Open_UnchunkedArrayOver2GiB_RefusedWithTheReason()
    {
        // {"w": ext 1 [[2^31], "uint8", bin32 of 2^31 bytes]} in a sparse file: the index reads only the headers.
        byte[] payloadHeader = [0x93, 0x91, 0xCE, 0x80, 0, 0, 0, 0xA5, .. "uint8"u8, 0xC6, 0x80, 0, 0, 0];
        byte[] ext = [0xC9, 0, 0, 0, 0, 0x01];
        BinaryPrimitives.WriteUInt32BigEndian(ext.AsSpan(1), (uint)(payloadHeader.Length + (1L << 31)));
        byte[] header = [0x81, 0xA1, (byte)'w', .. ext, .. payloadHeader];
        using var dir = new TempDirectory();
        string path = dir.File("huge.msgpack");
        using (FileStream file = File.Create(path))
        {
            file.Write(header);
            file.SetLength(header.Length + (1L << 31));
        }

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(path));

        Assert.Equal("an ndarray's data of 2147483648 bytes is over the 2 GiB one msgpack bin value can hold here; larger arrays are saved chunked (MsgpackOptions.MaxChunkSize)", e.Reason);
        Assert.Equal("./w", e.TreePath);
        Assert.Equal(9, e.ByteOffset);
    }

    // {"0": {}, "1": {}, ...}: about 8.5 bytes a value in the file, a few hundred in a tree.
    internal static byte[] EmptyMaps(int count)
    {
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[5];
        header[0] = 0xDF;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)count);
        stream.Write(header);
        for (int i = 0; i < count; i++)
        {
            string key = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stream.WriteByte((byte)(0xA0 | key.Length));
            foreach (char c in key)
            {
                stream.WriteByte((byte)c);
            }

            stream.WriteByte(0x80);
        }

        return stream.ToArray();
    }

    // Zeros without holding them: a sparse file's bytes as a stream, counted as they are read.
    private sealed class ZeroStream(long length, bool canSeek) : Stream
    {
        private long _position;

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => canSeek;

        public override bool CanWrite => false;

        public override long Length => canSeek ? length : throw new NotSupportedException();

        public override long Position
        {
            get => canSeek ? _position : throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = (int)Math.Min(buffer.Length, length - _position);
            buffer[..read].Clear();
            _position += read;
            BytesRead += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
