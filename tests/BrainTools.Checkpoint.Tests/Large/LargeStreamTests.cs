using System.Buffers.Binary;

namespace BrainTools.Checkpoint.Tests.Large;

/// <summary>A stream past 2 GiB that cannot seek loads as a file of that size does (no "Stream was too long").</summary>
[Trait("Category", "Large")]
public class LargeStreamTests
{
    // 2.1 GiB of uint8 elements: past what a MemoryStream or a byte[] can hold.
    private const long Elements = (2L << 30) + (100L << 20);

    [Fact]
    public void Load_NonSeekableStreamOver2GiB_LoadsTheArray()
    {
        var stream = new PatternCheckpointStream(Elements);

        NdArray loaded = Msgpack.Load(stream, MsgpackOptions.UntrustedData)["x"].AsArray();

        Assert.Equal(new Shape(Elements), loaded.Shape);
        Assert.Equal(DType.UInt8, loaded.DType);
        foreach (long at in (long[])[0, 1, 12345, int.MaxValue, int.MaxValue + 1L, Elements - 1])
        {
            Assert.Equal(PatternCheckpointStream.ByteAt(at), loaded.GetFlat<byte>(at));
        }

        GC.KeepAlive(loaded);
        loaded = null!;
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    // {"x": uint8 array of `elements` in flax's chunked form, two chunks} made on the fly, the element bytes a
    // pattern: nothing is held but the headers.
    private sealed class PatternCheckpointStream : Stream
    {
        private readonly byte[] _header;
        private readonly byte[] _between;
        private readonly long _first;
        private readonly long _length;
        private long _position;

        public PatternCheckpointStream(long elements)
        {
            _first = elements / 2;
            long second = elements - _first;
            byte[] dims = [0xCE, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32BigEndian(dims.AsSpan(1), (uint)elements);
            _header =
            [
                0x81, 0xA1, (byte)'x', 0x83, 0xB9, .. "__msgpack_chunked_array__"u8, 0xC3,
                0xA5, .. "shape"u8, 0x81, 0xA1, (byte)'0', .. dims,
                0xA6, .. "chunks"u8, 0x82, 0xA1, (byte)'0', .. Chunk(_first),
            ];
            _between = [0xA1, (byte)'1', .. Chunk(second)];
            _length = _header.Length + _first + _between.Length + second;
        }
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        // A cycle of 251 (prime) bytes: a chunk shifted or joined in the wrong place shows.
        private static readonly byte[] Cycle = [.. Enumerable.Range(0, 251 + (64 << 10)).Select(i => (byte)(i % 251))];

        public static byte ByteAt(long element) => (byte)(element % 251);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = (int)Math.Min(buffer.Length, _length - _position);
            long secondHeader = _header.Length + _first;
            for (int i = 0; i < read;)
            {
                long at = _position + i;
                Span<byte> rest = buffer[i..read];
                int n;
                if (at < _header.Length || (at >= secondHeader && at < secondHeader + _between.Length))
                {
                    ReadOnlySpan<byte> fixedBytes = at < _header.Length ? _header.AsSpan((int)at) : _between.AsSpan((int)(at - secondHeader));
                    n = Math.Min(rest.Length, fixedBytes.Length);
                    fixedBytes[..n].CopyTo(rest);
                }
                else
                {
                    long element = at < secondHeader ? at - _header.Length : at - secondHeader - _between.Length + _first;
                    long end = at < secondHeader ? secondHeader : _length;
                    n = (int)Math.Min(Math.Min(rest.Length, end - at), 64 << 10);
                    Cycle.AsSpan((int)(element % 251), n).CopyTo(rest);
                }

                i += n;
            }

            _position += read;
            return read;
        }

        // An ext 1 value: [[elements], "uint8", bin32], followed by its element bytes.
        private static byte[] Chunk(long elements)
        {
            byte[] payload = [0x93, 0x91, 0xCE, 0, 0, 0, 0, 0xA5, .. "uint8"u8, 0xC6, 0, 0, 0, 0];
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(3), (uint)elements);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(payload.Length - 4), (uint)elements);
            byte[] ext = [0xC9, 0, 0, 0, 0, 0x01];
            BinaryPrimitives.WriteUInt32BigEndian(ext.AsSpan(1), (uint)(payload.Length + elements));
            return [.. ext, .. payload];
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
