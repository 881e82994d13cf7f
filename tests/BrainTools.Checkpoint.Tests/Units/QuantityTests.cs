using System.Globalization;

namespace BrainTools.Checkpoint.Tests.Quantities;

public class QuantityTests
{
    [Fact]
    public void Multiply_NumberByUnit_MakesQuantity()
    {
        Quantity q = 10.0 * Units.ms;

        Assert.True(q.IsScalar);
        Assert.Equal(10.0, q.Mantissa);
        Assert.Same(Units.ms, q.Unit);
        Assert.Equal(Shape.Scalar, q.Shape);
        Assert.Equal(q, Units.ms * 10.0);
    }

    [Theory]
    [InlineData(10.0, "ms", "10 ms")]
    [InlineData(100.0, "mohm", "100 mohm")]
    [InlineData(200.0, "pF", "200 pF")]
    [InlineData(-50.0, "mV", "-50 mV")]
    [InlineData(0.5, "ms", "0.5 ms")]
    [InlineData(1e-05, "s", "1e-05 s")]
    [InlineData(2.0, "minute", "2 min")]
    public void ToString_ScalarQuantity_ShowsMantissaAndUnit(double mantissa, string unit, string expected)
    {
        Unit u = Units.All.Single(x => x.Name == unit || x.DisplayName == unit);

        Assert.Equal(expected, (mantissa * u).ToString());
    }

    [Fact]
    public void ToString_Unitless_ShowsNumberOnly()
    {
        Assert.Equal("0.5", (0.5 * Units.One).ToString());
    }

    [Fact]
    public void ToString_UnnamedUnit_ShowsUnitParts()
    {
        Assert.Equal("0.5 10.0^-4 * s", new Quantity(0.5, new Unit(new Dimension(second: 1), -4)).ToString());
    }

    [Fact]
    public void ToString_Format_AppliesToMantissa()
    {
        Assert.Equal("10.00 ms", (10.0 * Units.ms).ToString("F2", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ToString_ArrayQuantity_ShowsArrayAndUnit()
    {
        Quantity q = NdArray.Create<float>([1f, 2.5f]) * Units.mV;

        Assert.Equal("array([1.0, 2.5], dtype=float32) mV", q.ToString());
    }

    [Fact]
    public void To_SameDimension_ConvertsMantissa()
    {
        Assert.Equal(0.01, (10.0 * Units.ms).To(Units.s).Mantissa, 15);
        Assert.Equal(2000.0, (2.0 * Units.s).To(Units.ms).Mantissa);
        Assert.Equal(120.0, (2.0 * Units.minute).To(Units.s).Mantissa, 12);
        Assert.Equal(1500.0, (1.5 * Units.uF).To(Units.nF).Mantissa, 10);
        Assert.Same(Units.s, (10.0 * Units.ms).To(Units.s).Unit);
    }

    [Fact]
    public void To_EqualUnitOtherName_KeepsMantissaBits()
    {
        Quantity q = 0.1 * Units.ms;

        Assert.Equal(0.1, q.To(new Unit(new Dimension(second: 1), -3)).Mantissa);
    }

    [Fact]
    public void To_OtherDimension_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => (10.0 * Units.ms).To(Units.mV));

        Assert.Contains("dimensions s and m^2 kg s^-3 A^-1 differ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDecimal_ScalarQuantity_GivesNumberInUnit()
    {
        Assert.Equal(0.01, (10.0 * Units.ms).ToDecimal(Units.s), 15);
        Assert.Equal(-50.0, (-50.0 * Units.mV).ToDecimal(Units.mV));
    }

    [Fact]
    public void ToDecimal_ArrayQuantity_Throws()
    {
        Quantity q = NdArray.Create<double>([1.0, 2.0]) * Units.mV;

        Assert.Throws<InvalidOperationException>(() => q.ToDecimal(Units.V));
        Assert.Throws<InvalidOperationException>(() => q.Mantissa);
    }

    [Fact]
    public void Add_SameDimension_GivesLeftUnit()
    {
        Quantity sum = (1.0 * Units.ms) + (1.0 * Units.s);

        Assert.Equal(1001.0, sum.Mantissa);
        Assert.Same(Units.ms, sum.Unit);
        Assert.Equal("1001 ms", sum.ToString());
    }

    [Fact]
    public void Subtract_SameDimension_GivesLeftUnit()
    {
        Quantity difference = (1.0 * Units.s) - (250.0 * Units.ms);

        Assert.Equal(0.75, difference.Mantissa, 15);
        Assert.Same(Units.s, difference.Unit);
    }

    [Fact]
    public void Add_OtherDimension_ThrowsUnitMismatch()
    {
        var error = Assert.Throws<ArgumentException>(() => (1.0 * Units.ms) + (1.0 * Units.mV));

        Assert.StartsWith("Unit mismatch: cannot add 1 mV and 1 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiply_Quantities_MultipliesUnits()
    {
        Quantity current = (2.0 * Units.mV) * (3.0 * Units.mS);

        Assert.Equal(6.0, current.Mantissa);
        Assert.Same(Units.uA, current.Unit);
        Assert.Equal("6 uA", current.ToString());
    }

    [Fact]
    public void Divide_Quantities_DividesUnits()
    {
        Quantity current = (10.0 * Units.mV) / (2.0 * Units.mohm);

        Assert.Equal(5.0, current.Mantissa);
        Assert.Same(Units.A, current.Unit);
    }

    [Fact]
    public void ScalarOperators_NumbersAndUnits_ScaleQuantity()
    {
        Quantity tau = 10.0 * Units.ms;

        Assert.Equal(20.0 * Units.ms, tau * 2.0);
        Assert.Equal(20.0 * Units.ms, 2.0 * tau);
        Assert.Equal(5.0 * Units.ms, tau / 2.0);
        Assert.Equal(-10.0 * Units.ms, -tau);
        Assert.Equal(0.1 * Units.kHz, 1.0 / tau);
        Assert.Equal("mV * ms", ((2.0 * Units.mV) * Units.ms).Unit.ToString());
        Assert.Same(Units.uA, ((2.0 * Units.mV) / Units.kohm).Unit);
    }

    [Fact]
    public void CompareTo_SameDimension_ComparesValues()
    {
        Quantity tenMs = 10.0 * Units.ms;

        Assert.Equal(0, (4.0 * Units.ms).CompareTo(0.004 * Units.s));
        Assert.True(tenMs < 1.0 * Units.s);
        Assert.True(1.0 * Units.minute > 59.0 * Units.s);
        Assert.True(tenMs <= 10.0 * Units.ms);
        Assert.True(tenMs >= 9.0 * Units.ms);
        Assert.Equal(1, tenMs.CompareTo(null));
    }

    [Fact]
    public void CompareTo_OtherDimensionOrArray_Throws()
    {
        Assert.Throws<ArgumentException>(() => (1.0 * Units.ms) < (1.0 * Units.mV));
        Assert.Throws<ArgumentException>(() => (NdArray.Create<double>([1.0]) * Units.ms) < (1.0 * Units.ms));
    }

    [Fact]
    public void Equals_SameUnitAndMantissa_Equal()
    {
        Quantity a = 10.0 * Units.ms;
        var b = new Quantity(10.0, new Unit(new Dimension(second: 1), -3));

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, 0.01 * Units.s);
        Assert.True(a != 11.0 * Units.ms);
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Equals_ArrayQuantities_ComparesElements()
    {
        Quantity a = NdArray.Create<float>([1f, 2f]) * Units.mV;

        Assert.Equal(a, NdArray.Create<float>([1f, 2f]) * Units.mV);
        Assert.NotEqual(a, NdArray.Create<double>([1.0, 2.0]) * Units.mV);
        Assert.NotEqual(a, NdArray.Create<float>([1f, 3f]) * Units.mV);
        Assert.NotEqual(a, 1.0 * Units.mV);
    }

    [Fact]
    public void To_Float32Array_StaysFloat32WithFloat32Rounding()
    {
        float[] values = [1.0059965f, -0.22250803f, 70f];
        Quantity q = NdArray.Create<float>(values) * Units.mV;

        NdArray volts = q.To(Units.V).MantissaArray!;

        Assert.Equal(DType.Float32, volts.DType);
        Assert.Equal(values.Select(v => v * 0.001f).ToArray(), volts.ToArray<float>());
    }

    [Fact]
    public void Add_ArrayQuantities_AddsElementwiseInLeftUnit()
    {
        Quantity a = NdArray.Create<double>([1.0, 2.0]) * Units.mV;
        Quantity b = NdArray.Create<double>([0.5, 1.0]) * Units.V;

        Quantity sum = a + b;

        Assert.Same(Units.mV, sum.Unit);
        Assert.Equal([501.0, 1002.0], sum.MantissaArray!.ToArray<double>());
    }

    [Fact]
    public void Add_ArrayAndScalar_Broadcasts()
    {
        Quantity a = NdArray.Create<float>([1f, 2f]) * Units.mV;

        Quantity sum = a + (1.0 * Units.mV);
        Quantity reversed = (1.0 * Units.mV) - a;

        Assert.Equal(DType.Float32, sum.MantissaArray!.DType);
        Assert.Equal([2f, 3f], sum.MantissaArray.ToArray<float>());
        Assert.Equal([0f, -1f], reversed.MantissaArray!.ToArray<float>());
    }

    [Fact]
    public void Multiply_IntegerArray_GivesFloat64()
    {
        Quantity q = NdArray.Create<int>([1, 2]) * Units.ms;

        NdArray scaled = (q * 0.5).MantissaArray!;

        Assert.Equal(DType.Float64, scaled.DType);
        Assert.Equal([0.5, 1.0], scaled.ToArray<double>());
    }

    [Fact]
    public void Add_ArraysOfDifferentShapes_Throws()
    {
        Quantity a = NdArray.Create<double>([1.0, 2.0]) * Units.mV;
        Quantity b = NdArray.Create<double>([1.0, 2.0, 3.0]) * Units.mV;

        Assert.Throws<ArgumentException>(() => a + b);
    }

    [Fact]
    public void Multiply_ComplexArray_IsNotSupported()
    {
        Quantity q = NdArray.Create<System.Numerics.Complex>([new System.Numerics.Complex(1, 1)]) * Units.mV;

        Assert.Throws<NotSupportedException>(() => q * 2.0);
    }
}
