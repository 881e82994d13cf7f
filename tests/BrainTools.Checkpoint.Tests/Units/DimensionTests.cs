namespace BrainTools.Checkpoint.Tests.Quantities;

public class DimensionTests
{
    [Fact]
    public void Constructor_NamedExponents_AreInSiOrder()
    {
        var volt = new Dimension(metre: 2, kilogram: 1, second: -3, ampere: -1);

        Assert.Equal([2.0, 1, -3, -1, 0, 0, 0], volt.Exponents.ToArray());
        Assert.Equal(-3, volt.Second);
        Assert.Equal(-1, volt[3]);
    }

    [Theory]
    [InlineData(2, 1, -3, -1, 0, 0, 0, "m^2 kg s^-3 A^-1")]
    [InlineData(0, 0, 1, 0, 0, 0, 0, "s")]
    [InlineData(-3, 0, 0, 0, 0, 1, 0, "m^-3 mol")]
    [InlineData(0, 0, 0, 0, 1, 0, 1, "K cd")]
    [InlineData(0, 0, 0.5, 0, 0, 0, 0, "s^0.5")]
    [InlineData(0, 0, 0, 0, 0, 0, 0, "1")]
    public void ToString_Exponents_ShowsBrainunitDisplay(double m, double kg, double s, double a, double k, double mol, double cd, string expected)
    {
        Assert.Equal(expected, Dimension.FromExponents([m, kg, s, a, k, mol, cd]).ToString());
    }

    [Fact]
    public void Operators_MultiplyDividePow_CombineExponents()
    {
        var volt = new Dimension(metre: 2, kilogram: 1, second: -3, ampere: -1);
        var amp = new Dimension(ampere: 1);

        Assert.Equal(new Dimension(metre: 2, kilogram: 1, second: -3, ampere: -2), volt / amp);
        Assert.Equal(new Dimension(metre: 2, kilogram: 1, second: -3), volt * amp);
        Assert.Equal(new Dimension(metre: 4, kilogram: 2, second: -6, ampere: -2), volt.Pow(2));
        Assert.True((volt / volt).IsDimensionless);
    }

    [Fact]
    public void Equals_NegativeZero_EqualsZeroWithSameHash()
    {
        Dimension negativeZero = Dimension.FromExponents([-0.0, 0, 1, 0, 0, 0, 0]);
        var second = new Dimension(second: 1);

        Assert.Equal(second, negativeZero);
        Assert.Equal(second.GetHashCode(), negativeZero.GetHashCode());
        Assert.NotEqual(new Dimension(second: -1), second);
    }

    [Fact]
    public void ToArray_IntegerExponents_GivesInt64()
    {
        NdArray array = new Dimension(metre: -2, kilogram: -1, second: 4, ampere: 2).ToArray();

        Assert.Equal(DType.Int64, array.DType);
        Assert.Equal(new Shape(7), array.Shape);
        Assert.Equal([-2L, -1, 4, 2, 0, 0, 0], array.ToArray<long>());
    }

    [Fact]
    public void ToArray_FractionalExponent_GivesFloat64()
    {
        NdArray array = new Dimension(second: -0.5).ToArray();

        Assert.Equal(DType.Float64, array.DType);
        Assert.Equal([0, 0, -0.5, 0, 0, 0, 0], array.ToArray<double>());
    }

    [Theory]
    [InlineData("int64")]
    [InlineData("float64")]
    [InlineData("int32")]
    [InlineData("float32")]
    public void FromArray_NumericDTypes_ReadsExponents(string dtype)
    {
        var volt = new Dimension(metre: 2, kilogram: 1, second: -3, ampere: -1);
        double[] e = volt.Exponents.ToArray();
        NdArray array = dtype switch
        {
            "int64" => NdArray.Create<long>(e.Select(x => (long)x).ToArray()),
            "int32" => NdArray.Create<int>(e.Select(x => (int)x).ToArray()),
            "float32" => NdArray.Create<float>(e.Select(x => (float)x).ToArray()),
            _ => NdArray.Create<double>(e),
        };
        Assert.Equal(dtype, array.DType.Name);

        Assert.Equal(volt, Dimension.FromArray(array));
    }

    [Fact]
    public void FromArray_WrongShape_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Dimension.FromArray(NdArray.Create<long>([1, 2, 3])));

        Assert.Contains("shape (7,)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromExponents_WrongCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => Dimension.FromExponents([1, 2]));
    }
}
