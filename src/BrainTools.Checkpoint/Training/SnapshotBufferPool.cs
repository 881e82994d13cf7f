namespace BrainTools.Checkpoint.Training;

/// <summary>
/// Keeps the copy buffers of an <see cref="AsyncManager"/>'s last save for its next one (opt-in through
/// <see cref="AsyncSnapshot.RetainedMemory"/>), so the copy writes into memory that is already faulted in. Holds at most
/// the buffers of one save: those the next save does not reuse are dropped.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class SnapshotBufferPool
{
    private readonly Lock _lock = new();
    private List<long[]> _free = [];

    /// <summary>A buffer of exactly <paramref name="length"/> longs: a kept one when there is one, else a new one.</summary>
    public long[] Rent(int length)
    {
        lock (_lock)
        {
            int index = _free.FindIndex(a => a.Length == length);
            if (index >= 0)
            {
                long[] array = _free[index];
                _free.RemoveAt(index);
                return array;
            }
        }

        return GC.AllocateUninitializedArray<long>(length);
    }

    /// <summary>Drops the kept buffers the current save did not take: the pool never holds more than one save's worth.</summary>
    public void TrimUnused()
    {
        lock (_lock)
        {
            _free = [];
        }
    }

    /// <summary>Keeps a buffer for the next save.</summary>
    public void Return(long[] array)
    {
        lock (_lock)
        {
            _free.Add(array);
        }
    }
}
