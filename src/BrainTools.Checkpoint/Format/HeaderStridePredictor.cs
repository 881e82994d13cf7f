using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Guesses where the next array headers of a walk start, from the strides between the last ones: models repeat
/// their layers, so after a few arrays the next header is one stride further (a run of equal arrays), or the strides
/// alternate (a layer's weight, then its bias).
/// </summary>
/// <remarks>A guess only: whoever uses it must check that what was guessed is what the walk asks for.</remarks>
internal struct HeaderStridePredictor
{
    // The last header starts, newest first; -1 until seen.
    private long _p0;
    private long _p1;
    private long _p2;
    private long _p3;

    /// <summary>A predictor that has seen no header.</summary>
    public HeaderStridePredictor()
    {
        _p0 = _p1 = _p2 = _p3 = -1;
    }

    /// <summary>Notes a header at <paramref name="position"/> (after those seen so far).</summary>
    public void Observe(long position)
    {
        _p3 = _p2;
        _p2 = _p1;
        _p1 = _p0;
        _p0 = position;
    }

    /// <summary>
    /// Fills <paramref name="positions"/> with the next header starts the strides so far repeat, in order, none at or
    /// past <paramref name="length"/>.
    /// </summary>
    /// <returns>How many it filled: 0 when the strides show no pattern.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly int Predict(Span<long> positions, long length)
    {
        if (_p2 < 0)
        {
            return 0;
        }

        long stride1 = _p0 - _p1;
        long stride2 = _p1 - _p2;
        long stride3 = _p3 < 0 ? 0 : _p2 - _p3;

        // One stride again and again; else two alternating (the next is the one before the last); else no guess.
        (long first, long second) = stride1 == stride2 ? (stride1, stride1)
            : stride1 == stride3 ? (stride2, stride1)
            : (0L, 0L);
        if (first <= 0 || second <= 0)
        {
            return 0;
        }

        long next = _p0;
        int count = 0;
        while (count < positions.Length)
        {
            next += count % 2 == 0 ? first : second;
            if (next >= length)
            {
                break;
            }

            positions[count++] = next;
        }

        return count;
    }
}
