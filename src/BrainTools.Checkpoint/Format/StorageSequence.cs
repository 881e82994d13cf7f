using System.Buffers;

namespace BrainTools.Checkpoint.Format;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> over storage of any size, in segments of at most 1 GiB.</summary>
internal static class StorageSequence
{
    private const int SegmentSize = 1 << 30;

    public static ReadOnlySequence<byte> Create(ArrayStorage storage, long length)
    {
        if (length <= SegmentSize)
        {
            return new ReadOnlySequence<byte>(new StorageMemoryManager(storage, 0, (int)length).Memory);
        }

        SequenceSegment first = new(new StorageMemoryManager(storage, 0, SegmentSize).Memory, 0);
        SequenceSegment last = first;
        for (long offset = SegmentSize; offset < length; offset += SegmentSize)
        {
            int size = (int)Math.Min(SegmentSize, length - offset);
            last = last.Append(new StorageMemoryManager(storage, offset, size).Memory);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
