namespace BrainTools.Checkpoint.Tests.EntryPoints;

/// <summary>
/// One way in and out of the library (as System.Text.Json's <c>JsonSerializerWrapper</c>): the same tests run
/// through each, so every entry point is held to the same behaviour.
/// </summary>
public abstract class CheckpointWrapper
{
    public static CheckpointWrapper FilePath { get; } = new PathWrapper();

    public static CheckpointWrapper SeekableStream { get; } = new StreamWrapper();

    public static CheckpointWrapper OneByteStream { get; } = new OneByteStreamWrapper();

    public static CheckpointWrapper Bytes { get; } = new BytesWrapper();

    public static IReadOnlyList<CheckpointWrapper> All { get; } = [FilePath, SeekableStream, OneByteStream, Bytes];

    /// <summary>Saves <paramref name="tree"/> through this entry point and returns the bytes it wrote.</summary>
    public abstract byte[] Write(object? tree, MsgpackOptions? options = null);

    /// <summary>Loads checkpoint bytes through this entry point.</summary>
    public abstract StateNode Read(byte[] data, MsgpackOptions? options = null);

    private sealed class PathWrapper : CheckpointWrapper
    {
        public override byte[] Write(object? tree, MsgpackOptions? options)
        {
            using var dir = new TempDirectory();
            string path = dir.File("w.msgpack");
            Msgpack.Save(path, tree, options: options);
            return File.ReadAllBytes(path);
        }

        public override StateNode Read(byte[] data, MsgpackOptions? options)
        {
            using var dir = new TempDirectory();
            string path = dir.File("r.msgpack");
            File.WriteAllBytes(path, data);
            return Msgpack.Load(path, options: options);
        }

        public override string ToString() => "path";
    }

    private sealed class StreamWrapper : CheckpointWrapper
    {
        public override byte[] Write(object? tree, MsgpackOptions? options)
        {
            using var stream = new MemoryStream();
            stream.Write([0xAA]); // the checkpoint starts where the stream is, not at 0
            Msgpack.Save(stream, tree, options);
            Assert.True(stream.CanWrite, "Save closed the stream");
            return stream.ToArray()[1..];
        }

        public override StateNode Read(byte[] data, MsgpackOptions? options)
        {
            using var stream = new MemoryStream([0xAA, .. data]) { Position = 1 };
            StateNode tree = Msgpack.Load(stream, options);
            Assert.True(stream.CanRead, "Load closed the stream");
            return tree;
        }

        public override string ToString() => "stream";
    }

    private sealed class OneByteStreamWrapper : CheckpointWrapper
    {
        public override byte[] Write(object? tree, MsgpackOptions? options)
        {
            using var inner = new MemoryStream();
            Msgpack.Save(new OneByteAtATimeStream(inner), tree, options);
            return inner.ToArray();
        }

        public override StateNode Read(byte[] data, MsgpackOptions? options) =>
            Msgpack.Load(new OneByteAtATimeStream(new MemoryStream(data)), options);

        public override string ToString() => "one-byte-stream";
    }

    private sealed class BytesWrapper : CheckpointWrapper
    {
        public override byte[] Write(object? tree, MsgpackOptions? options) => Msgpack.Serialize(tree, options);

        public override StateNode Read(byte[] data, MsgpackOptions? options) => Msgpack.Deserialize(data, options);

        public override string ToString() => "bytes";
    }
}
