using BrainTools.Checkpoint.Format;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>Where the next headers of an index pass are predicted to be, from the gaps between the last ones.</summary>
public class HeaderPredictorTests
{
    [Fact]
    public void Observe_EqualGaps_PatternFoundAfterTwoAndPredictsOnward()
    {
        var predictor = new HeaderPredictor();
        Assert.False(predictor.Observe(100));
        Assert.False(predictor.Observe(1100));
        Assert.False(predictor.HasPattern);
        Assert.False(predictor.Observe(2100)); // Found now: a pattern is not yet a prediction that held.
        Assert.True(predictor.HasPattern);
        Assert.Equal([3100, 4100, 5100], new[] { predictor.NextAhead(), predictor.NextAhead(), predictor.NextAhead() });
        Assert.True(predictor.Observe(3100));
        Assert.Equal(6100, predictor.NextAhead()); // The positions ahead go on from the last handed out.
    }

    [Fact]
    public void Observe_WeightAndBiasPairs_PeriodOfTwo()
    {
        var predictor = new HeaderPredictor();
        long position = 0;
        long[] gaps = [60, 4, 60, 4];
        foreach (long gap in gaps)
        {
            predictor.Observe(position);
            position += gap;
        }

        Assert.False(predictor.Observe(position)); // 0, 60, 64, 124, 128: gaps 60 4 60 4.
        Assert.True(predictor.HasPattern);
        Assert.Equal([188, 192, 252, 256], new[] { predictor.NextAhead(), predictor.NextAhead(), predictor.NextAhead(), predictor.NextAhead() });
        Assert.True(predictor.Observe(188));
        Assert.True(predictor.Observe(192));
        Assert.Equal(6, predictor.HeadersWithin(200)); // Three pairs of 64 bytes.
    }

    [Fact]
    public void Observe_PositionOffThePattern_ResetsAndFindsTheNewOne()
    {
        var predictor = new HeaderPredictor();
        foreach (long position in new long[] { 0, 10, 20 })
        {
            predictor.Observe(position);
        }

        // A key one byte longer ("9", then "10") shifts every header after it by a byte.
        Assert.False(predictor.Observe(31));
        Assert.False(predictor.HasPattern); // Gaps 10 10 11: none yet.
        Assert.False(predictor.Observe(42));
        Assert.True(predictor.HasPattern);
        Assert.Equal(53, predictor.NextAhead());
        Assert.True(predictor.Observe(53));
    }

    [Fact]
    public void Observe_IrregularGaps_NoPattern()
    {
        var predictor = new HeaderPredictor();
        long position = 0;
        foreach (long gap in new long[] { 5, 9, 14, 3, 27, 8, 11, 2, 19, 6, 13 })
        {
            predictor.Observe(position += gap);
            Assert.False(predictor.HasPattern);
        }
    }

    [Fact]
    public void Observe_PeriodLongerThanFour_NoPattern()
    {
        var predictor = new HeaderPredictor();
        long position = 0;
        for (int i = 0; i < 20; i++)
        {
            predictor.Observe(position += 1 + (i % 5));
            Assert.False(predictor.HasPattern);
        }
    }
}
