namespace BrainTools.Checkpoint;

/// <summary>
/// Native memory that another component allocated and owns (a TorchSharp tensor's CPU storage, a buffer of a
/// native library). It is never freed here: the owner object is referenced for as long as any array refers to this
/// storage, so that a finalizer of the owner cannot free the memory under a live array.
/// </summary>
internal sealed unsafe class ExternalArrayStorage : ArrayStorage
{
    private readonly byte* _pointer;

    public ExternalArrayStorage(byte* pointer, long byteLength, object? owner, bool writable)
    {
        _pointer = pointer;
        ByteLength = byteLength;
        Owner = owner;
        IsWritable = writable;
    }

    public override long ByteLength { get; }

    public override bool IsWritable { get; }

    /// <summary>The object that keeps the memory alive.</summary>
    public object? Owner { get; }

    public override ref byte GetReference() => ref *_pointer;
}
