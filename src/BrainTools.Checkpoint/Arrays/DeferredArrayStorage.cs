namespace BrainTools.Checkpoint;

/// <summary>
/// The bytes of an array that are read only when something first reads them: an array of a tree read "on first use"
/// (<see cref="SafetensorsReader.ReadTree(bool)"/>, <see cref="NpzArchive.ReadTree(bool, ConversionReport?)"/>), whose dtype and shape are known from a header, so a tool that shows
/// a whole tree reads only the arrays it looks into, each once.
/// </summary>
internal sealed class DeferredArrayStorage : ArrayStorage
{
    private readonly Lazy<ArrayStorage> _read;

    /// <param name="byteLength">The array's length in bytes.</param>
    /// <param name="read">Reads the bytes into memory of their own; run at most once (its exception is thrown to every reader).</param>
    public DeferredArrayStorage(long byteLength, Func<ArrayStorage> read)
    {
        ByteLength = byteLength;
        _read = new Lazy<ArrayStorage>(read, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public override long ByteLength { get; }

    /// <summary>Whether the bytes were read.</summary>
    public bool IsRead => _read.IsValueCreated;

    public override ref byte GetReference() => ref _read.Value.GetReference();
}
