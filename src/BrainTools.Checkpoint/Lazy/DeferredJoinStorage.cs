namespace BrainTools.Checkpoint.Lazy;

/// <summary>
/// The bytes of a chunked array of an opened checkpoint, joined into memory of their own only when something reads
/// them: a restore in place (<see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>) reads the chunks straight into the template's array
/// instead, so an array over the chunk size costs no second copy.
/// </summary>
internal sealed class DeferredJoinStorage : ArrayStorage
{
    private readonly Lazy<ArrayStorage> _joined;

    /// <param name="entry">The chunked array's entry.</param>
    /// <param name="join">Copies the chunks into one piece of memory; run at most once.</param>
    public DeferredJoinStorage(CheckpointEntry entry, Func<ArrayStorage> join)
    {
        Entry = entry;
        ByteLength = entry.ByteLength;
        _joined = new Lazy<ArrayStorage>(join, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The chunked array's entry: its chunks are views of the mapped file.</summary>
    public CheckpointEntry Entry { get; }

    /// <summary>Whether the chunks were joined (someone read the bytes).</summary>
    public bool IsJoined => _joined.IsValueCreated;

    public override long ByteLength { get; }

    public override ref byte GetReference() => ref _joined.Value.GetReference();
}
