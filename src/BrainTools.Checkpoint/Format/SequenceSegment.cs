using System.Buffers;

namespace BrainTools.Checkpoint.Format;

/// <summary>A link of a <see cref="ReadOnlySequence{T}"/> built from memory blocks in order.</summary>
internal sealed class SequenceSegment : ReadOnlySequenceSegment<byte>
{
    public SequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Links <paramref name="memory"/> after this segment and returns its segment.</summary>
    public SequenceSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new SequenceSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
