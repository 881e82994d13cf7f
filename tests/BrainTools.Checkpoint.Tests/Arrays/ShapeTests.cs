namespace BrainTools.Checkpoint.Tests.Arrays;

/// <summary><see cref="Shape"/>: Python's tuple form, element counts, equality.</summary>
public class ShapeTests
{
    [Fact]
    public void ToString_PrintsPythonTuple()
    {
        Assert.Equal("()", Shape.Scalar.ToString());
        Assert.Equal("(3,)", new Shape(3).ToString());
        Assert.Equal("(2, 2)", new Shape(2, 2).ToString());
        Assert.Equal("(0, 3)", new Shape(0, 3).ToString());
        Assert.Equal("(1, 2, 3, 4)", new Shape(1L, 2L, 3L, 4L).ToString());
    }

    [Fact]
    public void ElementCount_IsProductOfDimensions()
    {
        Assert.Equal(1, Shape.Scalar.ElementCount);
        Assert.Equal(0, new Shape(0, 3).ElementCount);
        Assert.Equal(24, new Shape(2, 3, 4).ElementCount);
        Assert.Equal(600_000_000L * 8, new Shape(600_000_000L, 8L).ElementCount);
    }

    [Fact]
    public void ElementCount_Overflowing_Throws()
    {
        var shape = new Shape(long.MaxValue, 2L);

        Assert.Throws<OverflowException>(() => shape.ElementCount);
    }

    [Fact]
    public void Constructor_NegativeDimension_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shape(2, -1));
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Shape fromCollection = [2, 3];

        Assert.Equal(new Shape(2, 3), fromCollection);
        Assert.True(new Shape(2L, 3L) == new Shape(2, 3));
        Assert.True(new Shape(2, 3) != new Shape(3, 2));
        Assert.NotEqual(Shape.Scalar, new Shape(1));
        Assert.Equal(new Shape(2, 3).GetHashCode(), fromCollection.GetHashCode());
        Assert.Equal(default, Shape.Scalar);
    }

    [Fact]
    public void Indexer_RankAndEnumeration_GiveDimensions()
    {
        var shape = new Shape(4, 5, 6);

        Assert.Equal(3, shape.Rank);
        Assert.Equal(3, shape.Count);
        Assert.Equal(5, shape[1]);
        Assert.Equal([4L, 5L, 6L], shape);
        Assert.Empty(Shape.Scalar);
        Assert.Equal(0, Shape.Scalar.Rank);
    }
}
