namespace BrainTools.Checkpoint.Tests.Arrays;

public sealed class ElementFormatTests
{
    [Theory]
    [InlineData("bool", "01", 1.0, 0.0)]
    [InlineData("int8", "ff", -1.0, 0.0)]
    [InlineData("int16", "feff", -2.0, 0.0)]
    [InlineData("int32", "fdffffff", -3.0, 0.0)]
    [InlineData("int64", "0000000000000080", -9223372036854775808.0, 0.0)]
    [InlineData("uint8", "ff", 255.0, 0.0)]
    [InlineData("uint16", "ffff", 65535.0, 0.0)]
    [InlineData("uint32", "ffffffff", 4294967295.0, 0.0)]
    [InlineData("uint64", "ffffffffffffffff", 18446744073709551615.0, 0.0)]
    [InlineData("float16", "00c0", -2.0, 0.0)]
    [InlineData("float32", "0000c03f", 1.5, 0.0)]
    [InlineData("float64", "000000000000f83f", 1.5, 0.0)]
    [InlineData("bfloat16", "c03f", 1.5, 0.0)]
    [InlineData("float8_e4m3fn", "3c", 1.5, 0.0)]
    [InlineData("float8_e5m2", "3e", 1.5, 0.0)]
    [InlineData("complex64", "0000c03f000000c0", 1.5, -2.0)]
    [InlineData("complex128", "000000000000f83f00000000000000c0", 1.5, -2.0)]
    public void ToComplexAndToDouble_EveryDType_ReadTheLittleEndianValue(string dtype, string hex, double real, double imaginary)
    {
        DType type = DType.FromName(dtype);
        byte[] element = Convert.FromHexString(hex);

        System.Numerics.Complex value = ElementFormat.ToComplex(type, element);

        Assert.Equal(real, value.Real);
        Assert.Equal(imaginary, value.Imaginary);
        Assert.Equal(real, ElementFormat.ToDouble(type, element));
    }
}
