namespace BrainTools.Checkpoint;

/// <summary>
/// The bytes of a checkpoint that is not in memory (a lazy open of a source that cannot be mapped, such as a blob):
/// the arrays of its index are placed in it by offset and length, and read from the source on demand. Its memory
/// cannot be reached: a read through it is a bug, and throws rather than giving bytes that are not the file's.
/// </summary>
internal sealed class UnreadArrayStorage(long byteLength) : ArrayStorage
{
    public override long ByteLength { get; } = byteLength;

    public override bool IsWritable => false;

    public override ref byte GetReference() =>
        throw new InvalidOperationException("The bytes of this array are not in memory: they are read from the checkpoint's source on demand.");
}
