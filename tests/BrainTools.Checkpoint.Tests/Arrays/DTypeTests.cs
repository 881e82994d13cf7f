using System.Numerics;

namespace BrainTools.Checkpoint.Tests.Arrays;

/// <summary>The dtype table: numpy names, item sizes, kinds and .NET element types.</summary>
public class DTypeTests
{
    public static TheoryData<string, int, DTypeKind, Type> Table => new()
    {
        { "bool", 1, DTypeKind.Bool, typeof(bool) },
        { "int8", 1, DTypeKind.SignedInteger, typeof(sbyte) },
        { "int16", 2, DTypeKind.SignedInteger, typeof(short) },
        { "int32", 4, DTypeKind.SignedInteger, typeof(int) },
        { "int64", 8, DTypeKind.SignedInteger, typeof(long) },
        { "uint8", 1, DTypeKind.UnsignedInteger, typeof(byte) },
        { "uint16", 2, DTypeKind.UnsignedInteger, typeof(ushort) },
        { "uint32", 4, DTypeKind.UnsignedInteger, typeof(uint) },
        { "uint64", 8, DTypeKind.UnsignedInteger, typeof(ulong) },
        { "float16", 2, DTypeKind.Float, typeof(Half) },
        { "float32", 4, DTypeKind.Float, typeof(float) },
        { "float64", 8, DTypeKind.Float, typeof(double) },
        { "complex64", 8, DTypeKind.Complex, typeof(Complex64) },
        { "complex128", 16, DTypeKind.Complex, typeof(Complex) },
        { "bfloat16", 2, DTypeKind.Float, typeof(BFloat16) },
        { "float8_e4m3fn", 1, DTypeKind.Float, typeof(Float8E4M3FN) },
        { "float8_e5m2", 1, DTypeKind.Float, typeof(Float8E5M2) },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void FromName_EveryDType_HasNumpyItemSizeKindAndClrType(string name, int itemSize, DTypeKind kind, Type clrType)
    {
        DType dtype = DType.FromName(name);

        Assert.Equal(name, dtype.Name);
        Assert.Equal(name, dtype.ToString());
        Assert.Equal(itemSize, dtype.ItemSize);
        Assert.Equal(kind, dtype.Kind);
        Assert.Equal(clrType, dtype.ClrType);
        Assert.Equal(kind == DTypeKind.Float, dtype.IsFloatingPoint);
        Assert.Equal(System.Runtime.InteropServices.Marshal.SizeOf(clrType == typeof(bool) ? typeof(byte) : clrType), itemSize);
        Assert.True(DType.TryFromClrType(clrType, out DType? byType));
        Assert.Same(dtype, byType);
    }

    [Fact]
    public void All_HoldsSeventeenDistinctSingletons()
    {
        Assert.Equal(17, DType.All.Count);
        Assert.Equal(17, DType.All.Select(d => d.Name).Distinct().Count());
        Assert.All(DType.All, d => Assert.Same(d, DType.FromName(d.Name)));
    }

    [Fact]
    public void Of_ElementType_GivesDType()
    {
        Assert.Same(DType.Float32, DType.Of<float>());
        Assert.Same(DType.Float16, DType.Of<Half>());
        Assert.Same(DType.Complex128, DType.Of<Complex>());
        Assert.Same(DType.BFloat16, DType.Of<BFloat16>());
    }

    [Fact]
    public void Of_NonElementType_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => DType.Of<decimal>());
        Assert.False(DType.TryFromClrType(typeof(string), out _));
    }

    [Theory]
    [InlineData("object")]
    [InlineData("float128")]
    [InlineData("Float32")]
    [InlineData("")]
    public void FromName_UnknownName_ThrowsListingSupported(string name)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => DType.FromName(name));

        Assert.Contains("float8_e5m2", e.Message, StringComparison.Ordinal);
        Assert.False(DType.TryFromName(name, out _));
    }

    [Fact]
    public void Equality_IsByIdentity()
    {
        Assert.True(DType.FromName("int32") == DType.Int32);
        Assert.False(DType.Int32.Equals(DType.UInt32));
        Assert.Equal(DType.Int32.GetHashCode(), DType.FromName("int32").GetHashCode());
    }
}
