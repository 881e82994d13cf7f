using System.Buffers;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// A link of a <see cref="ReadOnlySequence{T}"/> that can be pointed elsewhere, so a reader that moves a window over
/// a file re-links the same few segments instead of allocating new ones for every move.
/// </summary>
/// <remarks>Re-pointing a segment invalidates every sequence built over it: only sequences that end before the next move may use it.</remarks>
internal sealed class WindowSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>Points this segment at <paramref name="memory"/>, which starts at <paramref name="runningIndex"/> of the sequence and is followed by <paramref name="next"/>.</summary>
    public void Set(ReadOnlyMemory<byte> memory, long runningIndex, WindowSegment? next)
    {
        Memory = memory;
        RunningIndex = runningIndex;
        Next = next;
    }
}
