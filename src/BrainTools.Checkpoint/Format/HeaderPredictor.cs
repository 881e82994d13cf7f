namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Predicts where an index pass's next headers are from where the last ones were. Models repeat their layers, so the
/// gaps between the headers that follow skipped payloads repeat with a short period: one array a layer (period 1),
/// a weight and a bias (period 2), and so on up to <see cref="MaxPeriod"/>.
/// </summary>
/// <remarks>
/// A period counts only once two whole periods of gaps agree. A position that breaks the pattern resets it: the
/// pattern is found again from the gaps that follow (a key one character longer, "9" then "10", shifts the headers
/// by a byte).
/// </remarks>
internal sealed class HeaderPredictor
{
    /// <summary>The longest period of gaps recognized.</summary>
    public const int MaxPeriod = 4;

    private const int History = 2 * MaxPeriod;

    // The last gaps, newest at (_count - 1) % History.
    private readonly long[] _gaps = new long[History];
    private readonly long[] _pattern = new long[MaxPeriod];
    private long _count;
    private long _last = -1;
    private int _period;

    // The position the pattern says comes next, and the gap after it.
    private long _expected;
    private int _expectedPhase;

    // The last position handed out by NextAhead, and the gap after it.
    private long _ahead;
    private int _aheadPhase;

    /// <summary>Whether a pattern holds (<see cref="NextAhead"/> may be called).</summary>
    public bool HasPattern => _period > 0;

    /// <summary>How many headers the pattern predicts in the <paramref name="bytes"/> after the last one.</summary>
    public long HeadersWithin(long bytes)
    {
        long span = 0;
        for (int i = 0; i < _period; i++)
        {
            span += _pattern[i];
        }

        return span > 0 ? bytes / span * _period : 0;
    }

    /// <summary>Takes the position of the header that follows a skipped payload.</summary>
    /// <returns>True when the pattern held (the position is the one predicted); false when there was none, or it broke.</returns>
    public bool Observe(long position)
    {
        if (_last >= 0)
        {
            _gaps[_count % History] = position - _last;
            _count++;
        }

        _last = position;
        if (_period > 0 && position == _expected)
        {
            _expected += _pattern[_expectedPhase];
            _expectedPhase = (_expectedPhase + 1) % _period;
            return true;
        }

        _period = FindPeriod();
        if (_period > 0)
        {
            // The next gap is the one a period back, so the pattern starts with it.
            for (int i = 0; i < _period; i++)
            {
                _pattern[i] = Gap(_period - i);
            }

            _expected = position + _pattern[0];
            _expectedPhase = 1 % _period;
            _ahead = position;
            _aheadPhase = 0;
        }

        return false;
    }

    /// <summary>The next position not handed out yet, as the pattern predicts it.</summary>
    public long NextAhead()
    {
        _ahead += _pattern[_aheadPhase];
        _aheadPhase = (_aheadPhase + 1) % _period;
        return _ahead;
    }

    // The gap `back` places before the newest (1 = the newest).
    private long Gap(int back) => _gaps[(_count - back) % History];

    private int FindPeriod()
    {
        for (int period = 1; period <= MaxPeriod; period++)
        {
            if (_count < 2 * period)
            {
                return 0;
            }

            bool repeats = true;
            for (int i = 1; i <= period && repeats; i++)
            {
                repeats = Gap(i) == Gap(i + period) && Gap(i) > 0;
            }

            if (repeats)
            {
                return period;
            }
        }

        return 0;
    }
}
