using System.Numerics;

namespace BrainTools.Checkpoint.Tests.Formats;

public class ElementWindowTests
{
    [Theory]
    [InlineData("int8")]
    [InlineData("uint64")]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    [InlineData("float8_e4m3fn")]
    [InlineData("float32")]
    public void ConvertInto_WindowOfAnyDType_MatchesAsTypeOfTheWholeArray(string name)
    {
        DType dtype = DType.FromName(name);
        NdArray source = NdArray.FromArray(Enumerable.Range(-50, 100).Select(i => i * 0.75).ToArray(), new Shape(100)).AsType(dtype);
        double[] expected = source.AsType(DType.Float64).ToArray<double>();
        var window = new double[30];

        source.ConvertInto(40, window.AsSpan());

        Assert.Equal(expected[40..70], window);
    }

    [Fact]
    public void ConvertInto_ComplexWindow_KeepsBothParts()
    {
        NdArray source = NdArray.FromArray(new Complex64[] { new(1, 2), new(3, -4), new(float.NaN, 0) }, new Shape(3));
        var window = new Complex[2];

        source.ConvertInto(1, window.AsSpan());

        Assert.Equal(new Complex(3, -4), window[0]);
        Assert.True(double.IsNaN(window[1].Real));
    }

    [Fact]
    public void ConvertInto_WindowPastTheEnd_Throws()
    {
        NdArray source = NdArray.Zeros(DType.Int32, new Shape(4));

        Assert.Throws<ArgumentOutOfRangeException>(() => source.ConvertInto(2, new long[3].AsSpan()));
    }
}
