using System.Globalization;
using System.Numerics;

namespace BrainTools.Checkpoint.Tests.Arrays;

/// <summary><see cref="NdArray.AsType(DType, bool)"/>: each of numpy's astype rules, checked against numpy's own output.</summary>
public class AsTypeTests
{
    // Inputs of the float -> int table (for float16, FloatValues16).
    private static readonly double[] FloatValues =
    [
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e10, -1e10, 40000.0, -40000.0, 300.7, -300.7, 2.9, -2.9,
        3e9, -1.0, 1e19, 9.223372036854776e+18, -9.223372036854776e+18, 1.8446744073709552e+19, 1.8e19, -0.0,
    ];

    private static readonly double[] FloatValues16 = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 60000, -60000, 300.5, -2.5, 1000, -0.0];

    /// <summary>
    /// What numpy 1.24.2 on x86-64 gives for <c>np.array(values, dtype=from).astype(to)</c>, printed with
    /// <c>tolist()</c>. complex -> uint32 is left out: there numpy's out-of-range results differ from its own float
    /// loops (-1e10 gives 2884901888), and we follow the float loops.
    /// </summary>
    public static TheoryData<string, string, string> NumpyFloatToInt => new()
    {
        { "float64", "int8", "0 0 0 0 0 64 -64 44 -44 2 -2 0 -1 0 0 0 0 0 0" },
        { "float64", "int16", "0 0 0 0 0 -25536 25536 300 -300 2 -2 0 -1 0 0 0 0 0 0" },
        { "float64", "int32", "-2147483648 -2147483648 -2147483648 -2147483648 -2147483648 40000 -40000 300 -300 2 -2 -2147483648 -1 -2147483648 -2147483648 -2147483648 -2147483648 -2147483648 0" },
        { "float64", "int64", "-9223372036854775808 -9223372036854775808 -9223372036854775808 10000000000 -10000000000 40000 -40000 300 -300 2 -2 3000000000 -1 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 0" },
        { "float64", "uint8", "0 0 0 0 0 64 192 44 212 2 254 0 255 0 0 0 0 0 0" },
        { "float64", "uint16", "0 0 0 0 0 40000 25536 300 65236 2 65534 0 65535 0 0 0 0 0 0" },
        { "float64", "uint32", "2147483648 0 2147483648 0 2147483648 40000 4294927296 300 4294966996 2 4294967294 3000000000 4294967295 0 0 2147483648 0 0 0" },
        { "float64", "uint64", "9223372036854775808 0 9223372036854775808 10000000000 18446744063709551616 40000 18446744073709511616 300 18446744073709551316 2 18446744073709551614 3000000000 18446744073709551615 10000000000000000000 9223372036854775808 9223372036854775808 0 18000000000000000000 0" },
        { "float32", "int8", "0 0 0 0 0 64 -64 44 -44 2 -2 0 -1 0 0 0 0 0 0" },
        { "float32", "int16", "0 0 0 0 0 -25536 25536 300 -300 2 -2 0 -1 0 0 0 0 0 0" },
        { "float32", "int32", "-2147483648 -2147483648 -2147483648 -2147483648 -2147483648 40000 -40000 300 -300 2 -2 -2147483648 -1 -2147483648 -2147483648 -2147483648 -2147483648 -2147483648 0" },
        { "float32", "int64", "-9223372036854775808 -9223372036854775808 -9223372036854775808 10000000000 -10000000000 40000 -40000 300 -300 2 -2 3000000000 -1 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 0" },
        { "float32", "uint8", "0 0 0 0 0 64 192 44 212 2 254 0 255 0 0 0 0 0 0" },
        { "float32", "uint16", "0 0 0 0 0 40000 25536 300 65236 2 65534 0 65535 0 0 0 0 0 0" },
        { "float32", "uint32", "2147483648 0 2147483648 0 2147483648 40000 4294927296 300 4294966996 2 4294967294 3000000000 4294967295 0 0 2147483648 0 0 0" },
        { "float32", "uint64", "9223372036854775808 0 9223372036854775808 10000000000 18446744063709551616 40000 18446744073709511616 300 18446744073709551316 2 18446744073709551614 3000000000 18446744073709551615 9999999980506447872 9223372036854775808 9223372036854775808 0 18000000404716257280 0" },
        { "float16", "int8", "0 0 0 96 -96 44 -2 -24 0" },
        { "float16", "int16", "0 0 0 -5536 5536 300 -2 1000 0" },
        { "float16", "int32", "-2147483648 -2147483648 -2147483648 60000 -60000 300 -2 1000 0" },
        { "float16", "int64", "-9223372036854775808 -9223372036854775808 -9223372036854775808 60000 -60000 300 -2 1000 0" },
        { "float16", "uint8", "0 0 0 96 160 44 254 232 0" },
        { "float16", "uint16", "0 0 0 60000 5536 300 65534 1000 0" },
        { "float16", "uint32", "0 0 0 60000 4294907296 300 4294967294 1000 0" },
        { "float16", "uint64", "9223372036854775808 0 9223372036854775808 60000 18446744073709491616 300 18446744073709551614 1000 0" },
        { "complex128", "int8", "0 0 0 0 0 64 -64 44 -44 2 -2 0 -1 0 0 0 0 0 0" },
        { "complex128", "int16", "0 0 0 0 0 -25536 25536 300 -300 2 -2 0 -1 0 0 0 0 0 0" },
        { "complex128", "int32", "-2147483648 -2147483648 -2147483648 -2147483648 -2147483648 40000 -40000 300 -300 2 -2 -2147483648 -1 -2147483648 -2147483648 -2147483648 -2147483648 -2147483648 0" },
        { "complex128", "int64", "-9223372036854775808 -9223372036854775808 -9223372036854775808 10000000000 -10000000000 40000 -40000 300 -300 2 -2 3000000000 -1 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 0" },
        { "complex128", "uint8", "0 0 0 0 0 64 192 44 212 2 254 0 255 0 0 0 0 0 0" },
        { "complex128", "uint16", "0 0 0 0 0 40000 25536 300 65236 2 65534 0 65535 0 0 0 0 0 0" },
        { "complex128", "uint64", "9223372036854775808 0 9223372036854775808 10000000000 18446744063709551616 40000 18446744073709511616 300 18446744073709551316 2 18446744073709551614 3000000000 18446744073709551615 10000000000000000000 9223372036854775808 9223372036854775808 0 18000000000000000000 0" },
        { "complex64", "int8", "0 0 0 0 0 64 -64 44 -44 2 -2 0 -1 0 0 0 0 0 0" },
        { "complex64", "int16", "0 0 0 0 0 -25536 25536 300 -300 2 -2 0 -1 0 0 0 0 0 0" },
        { "complex64", "int32", "-2147483648 -2147483648 -2147483648 -2147483648 -2147483648 40000 -40000 300 -300 2 -2 -2147483648 -1 -2147483648 -2147483648 -2147483648 -2147483648 -2147483648 0" },
        { "complex64", "int64", "-9223372036854775808 -9223372036854775808 -9223372036854775808 10000000000 -10000000000 40000 -40000 300 -300 2 -2 3000000000 -1 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 0" },
        { "complex64", "uint8", "0 0 0 0 0 64 192 44 212 2 254 0 255 0 0 0 0 0 0" },
        { "complex64", "uint16", "0 0 0 0 0 40000 25536 300 65236 2 65534 0 65535 0 0 0 0 0 0" },
        { "complex64", "uint64", "9223372036854775808 0 9223372036854775808 10000000000 18446744063709551616 40000 18446744073709511616 300 18446744073709551316 2 18446744073709551614 3000000000 18446744073709551615 9999999980506447872 9223372036854775808 9223372036854775808 0 18000000404716257280 0" },
    };

    public static TheoryData<string> AllDTypes => [.. DType.All.Select(d => d.Name)];

    [Theory]
    [MemberData(nameof(NumpyFloatToInt))]
    public void AsType_FloatToInteger_MatchesNumpy(string from, string to, string expected)
    {
        NdArray source = Source(DType.FromName(from), from == "float16" ? FloatValues16 : FloatValues);

        NdArray result = source.AsType(DType.FromName(to));

        Assert.Equal(DType.FromName(to), result.DType);
        Assert.Equal(expected, Elements(result));
    }

    [Theory]
    [InlineData("int64", "300 -1 1099511627776", "uint8", "44 255 0")]
    [InlineData("int32", "-1 70000 -32769", "int16", "-1 4464 32767")]
    [InlineData("uint64", "18446744073709551615 9223372036854775808", "int8", "-1 0")]
    [InlineData("uint64", "18446744073709551615 9223372036854775808", "int64", "-1 -9223372036854775808")]
    [InlineData("int8", "-1 -128 127", "uint64", "18446744073709551615 18446744073709551488 127")]
    [InlineData("int16", "-1 0 2", "bool", "True False True")]
    [InlineData("bool", "True False", "int32", "1 0")]
    [InlineData("bool", "True False", "float64", "1.0 0.0")]
    public void AsType_IntegerOrBool_WrapsLikeC(string from, string values, string to, string expected)
    {
        NdArray source = Parse(DType.FromName(from), values);

        Assert.Equal(expected, Elements(source.AsType(DType.FromName(to))));
    }

    [Fact]
    public void AsType_Int64ToFloat32_RoundsOnceNotThroughDouble()
    {
        // 2^60 + 2^36 + 1: through double it would round to 2^60 + 2^36, then tie to even 2^60. numpy: 2^60 + 2^37.
        NdArray source = NdArray.Create<long>([(1L << 60) + (1L << 36) + 1, -((1L << 60) + (1L << 36) + 1)]);

        float[] result = source.AsType(DType.Float32).ToArray<float>();

        Assert.Equal([1.1529216420458004e+18f, -1.1529216420458004e+18f], result);
        Assert.Equal((float)((1L << 60) + (1L << 37)), result[0]);
    }

    [Fact]
    public void AsType_UInt64ToFloat_RoundsToNearest()
    {
        NdArray source = NdArray.Create<ulong>([ulong.MaxValue, (1UL << 63) + (1UL << 39) + 1]);

        Assert.Equal([1.8446744073709552e+19f, 9.223373136366404e+18f], source.AsType(DType.Float32).ToArray<float>());
        Assert.Equal([1.8446744073709552e+19, 9.22337258661059e+18], source.AsType(DType.Float64).ToArray<double>());
    }

    [Fact]
    public void AsType_IntegerToFloat16_OverflowsToInfinity()
    {
        NdArray source = NdArray.Create<long>([65519, 65520, -65520, 2049]);

        Half[] result = source.AsType(DType.Float16).ToArray<Half>();

        Assert.Equal([(Half)65504, Half.PositiveInfinity, Half.NegativeInfinity, (Half)2048], result);
    }

    [Fact]
    public void AsType_Float64ToFloat16_RoundsOnce()
    {
        // Through float32 the first value would become the tie 1 + 2^-11 and round down to 1.0; numpy gives 1 + 2^-10.
        NdArray source = NdArray.Create<double>([1 + Math.Pow(2, -11) + Math.Pow(2, -40), 65519.99, 65520.0, Math.Pow(2, -25) + Math.Pow(2, -60)]);

        Half[] result = source.AsType(DType.Float16).ToArray<Half>();

        Assert.Equal([(Half)1.0009765625, (Half)65504, Half.PositiveInfinity, (Half)5.960464477539063e-08], result);
    }

    [Fact]
    public void AsType_Float64ToBFloat16_GoesThroughFloat32LikeMlDtypes()
    {
        // 1 + 2^-8 + 2^-30 rounds to the float 1 + 2^-8 (a bfloat16 tie), which goes to even: 1.0, as ml_dtypes' CastToFloat does.
        NdArray source = NdArray.Create<double>([1 + Math.Pow(2, -8) + Math.Pow(2, -30), 0.1, double.NaN, 1e39]);

        BFloat16[] result = source.AsType(DType.BFloat16).ToArray<BFloat16>();

        Assert.Equal(0x3F80, result[0].RawValue);
        Assert.Equal(((BFloat16)0.1f).RawValue, result[1].RawValue);
        Assert.True(result[2].IsNaN);
        Assert.Equal(0x7F80, result[3].RawValue); // 1e39 is infinity as a float32
    }

    [Fact]
    public void AsType_Int64ToBFloat16_RoundsToFloat32First()
    {
        // x = 2^60 + 2^52 + 2^36 + 1. As float32 (one rounding) it is 2^60 + 2^52 + 2^37, above the bfloat16 midpoint
        // 2^60 + 2^52, so bfloat16 gives 2^60 + 2^53. Through double it would be 2^60 + 2^52 + 2^36, then the float32
        // 2^60 + 2^52, an exact bfloat16 tie that goes to even: 2^60.
        NdArray source = NdArray.Create<long>([(1L << 60) + (1L << 52) + (1L << 36) + 1]);

        BFloat16 result = source.AsType(DType.BFloat16).ToArray<BFloat16>()[0];

        Assert.Equal(Math.ScaleB(1 + (1.0 / 128), 60), (double)(float)result);
    }

    [Fact]
    public void AsType_FloatToFloat8_MatchesElementConversions()
    {
        float[] values = [0f, 1f, -1.5f, 0.3f, 448f, 464f, 500f, 57344f, 61440f, 1e-3f, float.PositiveInfinity, float.NaN];
        NdArray source = NdArray.Create<float>(values);

        Float8E4M3FN[] e4m3 = source.AsType(DType.Float8E4M3FN).ToArray<Float8E4M3FN>();
        Float8E5M2[] e5m2 = source.AsType(DType.Float8E5M2).ToArray<Float8E5M2>();

        Assert.Equal(values.Select(v => ((Float8E4M3FN)v).RawValue), e4m3.Select(v => v.RawValue));
        Assert.Equal(values.Select(v => ((Float8E5M2)v).RawValue), e5m2.Select(v => v.RawValue));
        Assert.True(e4m3[6].IsNaN); // 500: past e4m3fn's maximum
        Assert.Equal(float.PositiveInfinity, (float)e5m2[8]);
    }

    [Fact]
    public void AsType_Float8ToInteger_GoesThroughFloat()
    {
        NdArray source = NdArray.Create<Float8E4M3FN>([new(0x7E), new(0xBC), new(0x7F)]); // 448, -1.5, NaN

        Assert.Equal("448 -1 -2147483648", Elements(source.AsType(DType.Int32)));
        Assert.Equal("448 4294967295 0", Elements(source.AsType(DType.UInt32))); // scalar cast: low 32 bits of the int64
        Assert.Equal("448 -1 0", Elements(source.AsType(DType.Int16)));
    }

    [Fact]
    public void AsType_BFloat16ToFloat32_IsExact()
    {
        BFloat16[] values = [new(0x3F81), new(0xC049), new(0x7F80), new(0x0001)];

        float[] result = NdArray.Create<BFloat16>(values).AsType(DType.Float32).ToArray<float>();

        Assert.Equal(values.Select(v => (float)v), result);
    }

    [Fact]
    public void AsType_ComplexToReal_TakesRealPart()
    {
        NdArray source = NdArray.Create<Complex>([new(2.7, 5), new(-1.5, -3), new(double.NaN, 0)]);

        Assert.Equal([2.7, -1.5, double.NaN], source.AsType(DType.Float64).ToArray<double>());
        Assert.Equal([2.7f, -1.5f, float.NaN], source.AsType(DType.Float32).ToArray<float>());
        Assert.Equal("2 -1 -2147483648", Elements(source.AsType(DType.Int32)));
    }

    [Fact]
    public void AsType_ComplexToBool_IsTrueWhenEitherPartIsNonZero()
    {
        NdArray source = NdArray.Create<Complex64>([new(0, 0), new(0, 1), new(float.NaN, 0), new(2.7f, 5), new(-0f, -0f)]);

        Assert.Equal("False True True True False", Elements(source.AsType(DType.Bool)));
    }

    [Fact]
    public void AsType_RealToComplex_HasZeroImaginaryPart()
    {
        NdArray source = NdArray.Create<int>([3, -4]);

        Assert.Equal([new Complex(3, 0), new Complex(-4, 0)], source.AsType(DType.Complex128).ToArray<Complex>());
        Assert.Equal([new Complex64(3, 0), new Complex64(-4, 0)], source.AsType(DType.Complex64).ToArray<Complex64>());
    }

    [Fact]
    public void AsType_ComplexToComplex_ConvertsEachPart()
    {
        NdArray source = NdArray.Create<Complex>([new(0.1, -0.2), new(1e300, 1)]);

        Complex64[] narrow = source.AsType(DType.Complex64).ToArray<Complex64>();

        Assert.Equal([new Complex64(0.1f, -0.2f), new Complex64(float.PositiveInfinity, 1)], narrow);
        Assert.Equal([new Complex(0.1f, -0.2f), new Complex(float.PositiveInfinity, 1)], NdArray.Create(narrow).AsType(DType.Complex128).ToArray<Complex>());
    }

    [Fact]
    public void AsType_FloatToBool_IsNonZeroSoNaNIsTrue()
    {
        NdArray source = NdArray.Create<double>([0.0, -0.0, double.NaN, 1e-300, double.NegativeInfinity]);

        Assert.Equal("False False True True True", Elements(source.AsType(DType.Bool)));
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void AsType_EveryPairOfDTypes_ConvertsSmallIntegersExactly(string from)
    {
        DType source = DType.FromName(from);
        NdArray array = Source(source, [0, 1, 3, 5]);
        string[] expectedValues = source == DType.Bool ? ["0", "1", "1", "1"] : ["0", "1", "3", "5"];

        foreach (DType target in DType.All)
        {
            NdArray result = array.AsType(target);

            string[] expected = target == DType.Bool ? [.. expectedValues.Select(v => v == "0" ? "False" : "True")] : expectedValues;
            Assert.Equal(string.Join(' ', expected), string.Join(' ', Enumerable.Range(0, 4).Select(i => Integer(result, i))));
        }
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void AsType_KeepsShape_IncludingZeroDAndEmpty(string name)
    {
        DType target = DType.FromName(name);

        Assert.Equal(new Shape(2, 0, 3), NdArray.Zeros(DType.Float32, new Shape(2, 0, 3)).AsType(target).Shape);
        NdArray scalar = NdArray.Scalar(7.0).AsType(target);
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal(target == DType.Bool ? "True" : "7", Integer(scalar, 0));
    }

    [Fact]
    public void AsType_SameDType_CopiesUnlessCopyIsFalse()
    {
        float[] data = [1f, 2f];
        NdArray array = NdArray.FromArray(data);

        NdArray copy = array.AsType(DType.Float32);
        NdArray same = array.AsType<float>(copy: false);
        data[0] = 9f;

        Assert.Same(array, same);
        Assert.Equal([1f, 2f], copy.ToArray<float>());
    }

    [Fact]
    public void AsType_MoreElementsThanOneWindow_ConvertsAll()
    {
        const int Count = 3_000_000; // three windows of 2^20 elements
        int[] data = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            data[i] = i - 1_500_000;
        }

        double[] result = NdArray.FromArray(data).AsType(DType.Float64).ToArray<double>();

        for (int i = 0; i < Count; i++)
        {
            if (result[i] != data[i])
            {
                Assert.Fail($"Element {i}: {result[i]} instead of {data[i]}");
            }
        }
    }

    [Fact]
    public void ConvertInto_ArrayOfSameShape_ConvertsIntoIt()
    {
        NdArray source = NdArray.Create<double>([1.5, -2.5, 3e9, double.NaN, 0.1, 7], new Shape(2, 3));
        var ints = new int[2, 3];
        var floats = new float[2, 3];

        source.ConvertInto(ints);
        source.ConvertInto(floats);

        Assert.Equal(new int[,] { { 1, -2, int.MinValue }, { int.MinValue, 0, 7 } }, ints);
        Assert.Equal(new float[,] { { 1.5f, -2.5f, 3e9f }, { float.NaN, 0.1f, 7f } }, floats);
    }

    [Fact]
    public void ConvertInto_FlatArray_FillsInCOrder()
    {
        NdArray source = NdArray.Create<short>([1, 2, 3, 4], new Shape(2, 2));
        var flat = new Half[4];

        source.ConvertInto(flat);

        Assert.Equal([(Half)1, (Half)2, (Half)3, (Half)4], flat);
    }

    [Fact]
    public void ConvertInto_ShapeOrTypeThatDoesNotFit_Throws()
    {
        NdArray source = NdArray.Zeros(DType.Float32, new Shape(2, 3));

        Assert.Throws<ArgumentException>(() => source.ConvertInto(new float[3, 2]));
        Assert.Throws<ArgumentException>(() => source.ConvertInto(new float[5]));
        Assert.Throws<NotSupportedException>(() => source.ConvertInto(new decimal[6]));
    }

    [Fact]
    public void AsType_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => NdArray.Scalar(1).AsType(null!));
    }

    private static NdArray Source(DType dtype, double[] values) => dtype.Name switch
    {
        "float64" => NdArray.Create<double>(values),
        "float32" => NdArray.Create<float>([.. values.Select(v => (float)v)]),
        "float16" => NdArray.Create<Half>([.. values.Select(v => (Half)v)]),
        "complex128" => NdArray.Create<Complex>([.. values.Select(v => new Complex(v, 0))]),
        "complex64" => NdArray.Create<Complex64>([.. values.Select(v => new Complex64((float)v, 0))]),
        "bfloat16" => NdArray.Create<BFloat16>([.. values.Select(v => (BFloat16)(float)v)]),
        "float8_e4m3fn" => NdArray.Create<Float8E4M3FN>([.. values.Select(v => (Float8E4M3FN)(float)v)]),
        "float8_e5m2" => NdArray.Create<Float8E5M2>([.. values.Select(v => (Float8E5M2)(float)v)]),
        "bool" => NdArray.Create<bool>([.. values.Select(v => v != 0)]),
        _ => Parse(dtype, string.Join(' ', values.Select(v => ((long)v).ToString(CultureInfo.InvariantCulture)))),
    };

    // Integers and bools from text, so that uint64 values past long.MaxValue can be written.
    private static NdArray Parse(DType dtype, string values)
    {
        string[] items = values.Split(' ');
        return dtype.Name switch
        {
            "bool" => NdArray.Create<bool>([.. items.Select(bool.Parse)]),
            "int8" => NdArray.Create<sbyte>([.. items.Select(s => sbyte.Parse(s, CultureInfo.InvariantCulture))]),
            "int16" => NdArray.Create<short>([.. items.Select(s => short.Parse(s, CultureInfo.InvariantCulture))]),
            "int32" => NdArray.Create<int>([.. items.Select(s => int.Parse(s, CultureInfo.InvariantCulture))]),
            "int64" => NdArray.Create<long>([.. items.Select(s => long.Parse(s, CultureInfo.InvariantCulture))]),
            "uint8" => NdArray.Create<byte>([.. items.Select(s => byte.Parse(s, CultureInfo.InvariantCulture))]),
            "uint16" => NdArray.Create<ushort>([.. items.Select(s => ushort.Parse(s, CultureInfo.InvariantCulture))]),
            "uint32" => NdArray.Create<uint>([.. items.Select(s => uint.Parse(s, CultureInfo.InvariantCulture))]),
            _ => NdArray.Create<ulong>([.. items.Select(s => ulong.Parse(s, CultureInfo.InvariantCulture))]),
        };
    }

    // Elements as numpy's tolist() prints them: ints in decimal, floats with a point, bools True/False.
    private static string Elements(NdArray array) =>
        string.Join(' ', Enumerable.Range(0, (int)array.Length).Select(i => ElementFormat.ToPython(array.DType, array.GetBytes(i * array.DType.ItemSize, array.DType.ItemSize))));

    // An element that holds a whole number, printed without a point (or True/False).
    private static string Integer(NdArray array, int index)
    {
        ReadOnlySpan<byte> element = array.GetBytes(index * array.DType.ItemSize, array.DType.ItemSize);
        if (array.DType == DType.Bool)
        {
            return element[0] != 0 ? "True" : "False";
        }

        Complex value = ElementFormat.ToComplex(array.DType, element);
        Assert.Equal(0, value.Imaginary);
        return array.DType == DType.UInt64 ? BitConverter.ToUInt64(element).ToString(CultureInfo.InvariantCulture)
            : array.DType == DType.Int64 ? BitConverter.ToInt64(element).ToString(CultureInfo.InvariantCulture)
            : ((long)value.Real).ToString(CultureInfo.InvariantCulture);
    }
}
