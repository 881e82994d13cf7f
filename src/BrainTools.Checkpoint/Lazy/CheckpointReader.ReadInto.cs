using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint;

public sealed partial class CheckpointReader
{
    // Arrays from this size are read by several threads: each thread's copy out of the page cache then runs on its own core.
    private const long ParallelArrayBytes = 2L << 20;

    /// <summary>
    /// Reads the array at <paramref name="path"/> into memory the caller already has: the bytes go from the source
    /// straight into <paramref name="destination"/> (positional reads, parallel for large arrays), without a view of
    /// a mapping or a buffer in between. When the dtypes differ, the values are converted as numpy's
    /// <c>astype</c> would (<see cref="NdArray.AsType(DType, bool)"/>).
    /// </summary>
    /// <param name="path">Keys joined by <c>/</c>, as for <see cref="this[string]"/>.</param>
    /// <param name="destination">A writable array of the entry's shape.</param>
    /// <exception cref="KeyNotFoundException">No entry has that path.</exception>
    /// <exception cref="InvalidOperationException">The entry is not an array.</exception>
    /// <exception cref="ArgumentException">The destination has another shape, or is read-only.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public void ReadArrayInto(string path, NdArray destination) => ReadArrayInto(RequireArray(path), destination);

    /// <summary>Reads the array of an entry of this reader's index into <paramref name="destination"/>; see <see cref="ReadArrayInto(string, NdArray)"/>.</summary>
    /// <exception cref="ArgumentException">The entry belongs to another reader's index, or the destination has another shape or is read-only.</exception>
    /// <exception cref="InvalidOperationException">The entry is not an array.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public void ReadArrayInto(CheckpointEntry entry, NdArray destination)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(destination);
        RequireOwnArray(entry);

        if (destination.Shape != entry.Shape)
        {
            throw new ArgumentException($"The array at path {entry.Path} has shape {entry.Shape}, the destination {destination.Shape}.", nameof(destination));
        }

        CopyInto(entry.Chunks!, entry.DType!, destination, entry.Path);
    }

    /// <summary>
    /// Copies an array of a tree this reader made (a view of the file, or a copy of its own) into
    /// <paramref name="destination"/>, of the same shape: views are read from the file, not through the mapping.
    /// </summary>
    /// <param name="source">The array read.</param>
    /// <param name="destination">Where its values go.</param>
    /// <param name="treePath">Its path, for errors.</param>
    internal void CopyInto(NdArray source, NdArray destination, string treePath) => CopyInto(PartsOf(source), source.DType, destination, treePath);

    /// <summary>
    /// Runs many copies of <see cref="CopyInto(NdArray, NdArray, string)"/> at once: the reads of all of them are
    /// cut into blocks that every core shares, so a model of many middle-sized arrays reads as fast as one big
    /// array. Where two copies go into the same memory, the later one wins, as if they ran in order.
    /// </summary>
    internal void CopyAllInto(IReadOnlyList<PendingCopy> copies)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        var reads = new Dictionary<(object Memory, long Offset), List<PositionalRead.Request>>();
        foreach (PendingCopy copy in copies)
        {
            NdArray destination = copy.Destination;

            // Wrappers of one .NET array are new objects each time: the array itself tells that two copies share memory.
            object memory = destination.Storage is ManagedArrayStorage managed ? managed.Array : destination.Storage;
            NdArray[] parts = PartsOf(copy.Source);
            if (parts.Any(part => part.Storage != _bytes) || copy.Source.DType != destination.DType || !destination.IsWritable)
            {
                // Copied now, so an earlier copy into the same memory must not run after it.
                reads.Remove((memory, destination.ByteOffset));
                CopyInto(copy.Source, destination, copy.TreePath);
                continue;
            }

            var requests = new List<PositionalRead.Request>(parts.Length);
            long written = 0;
            foreach (NdArray part in parts)
            {
                long at = destination.ByteOffset + written;
                requests.Add(new PositionalRead.Request(part.ByteOffset, part.ByteLength, (offset, length) => destination.Storage.GetSpan(at + offset, length), copy.TreePath));
                written += part.ByteLength;
            }

            reads[(memory, destination.ByteOffset)] = requests;
        }

        PositionalRead.Request[] all = [.. reads.Values.SelectMany(requests => requests).OrderBy(read => read.FileOffset)];
        ReadCounted(all, all.Sum(read => read.Count));
    }

    // Where an array's bytes are: the chunks of a chunked array not yet joined, else the array itself.
    private static NdArray[] PartsOf(NdArray array) =>
        array.Storage is DeferredJoinStorage { IsJoined: false } chunked ? chunked.Entry.Chunks! : [array];

    // The parts (chunks, or one whole array) hold the logical array's bytes in order.
    private void CopyInto(NdArray[] parts, DType dtype, NdArray destination, string treePath)
    {
        if (!destination.IsWritable)
        {
            throw new ArgumentException("The destination is a read-only view.", nameof(destination));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        // Another dtype: the file's bytes first, then numpy's conversion into the destination.
        NdArray target = dtype == destination.DType ? destination : new NdArray(dtype, destination.Shape, NdArray.Allocate(destination.Length * dtype.ItemSize, zero: false), 0);
        long written = 0;
        foreach (NdArray part in parts)
        {
            if (part.Storage == _bytes)
            {
                long at = target.ByteOffset + written;
                BeginRead();
                try
                {
                    PositionalRead.Read(_source, part.ByteOffset, part.ByteLength, (offset, length) => target.Storage.GetSpan(at + offset, length), parallel: part.ByteLength >= ParallelArrayBytes, treePath);
                }
                finally
                {
                    EndRead();
                }
            }
            else
            {
                NdArray.CopyBytes(part, target.Storage, target.ByteOffset + written);
            }

            written += part.ByteLength;
        }

        if (!ReferenceEquals(target, destination))
        {
            NdArray.CopyBytes(target.AsType(destination.DType, copy: false), destination.Storage, destination.ByteOffset);
        }

        Interlocked.Add(ref _bytesTouched, written);
    }
}
