namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// What the save path of this package asks of the core library: the bytes of a tree written to a stream. Loads need
/// no adapter: <see cref="BlobCheckpointSource"/> is a core <see cref="ICheckpointSource"/>, named by the blob URL,
/// so the core's errors already name the blob.
/// </summary>
internal static class CheckpointCodec
{
    /// <summary>Writes <paramref name="tree"/> to <paramref name="stream"/>; array payloads go to it straight from the arrays' memory.</summary>
    public static void Write(Stream stream, object? tree, MsgpackOptions? options) => Msgpack.Save(stream, tree, options);
}
