using System.Numerics;
using System.Numerics.Tensors;

namespace BrainTools.Checkpoint.Tests.Arrays;

/// <summary>NdArray from and to .NET arrays of every rank, spans and <see cref="Tensor{T}"/>; 0-d and empty shapes.</summary>
public class NdArrayConversionTests
{
    [Fact]
    public void FromArray_Vector_SharesMemory()
    {
        float[] data = [1f, 2f, 3f];

        NdArray array = NdArray.FromArray(data);
        data[1] = 20f;

        Assert.Equal(DType.Float32, array.DType);
        Assert.Equal(new Shape(3), array.Shape);
        Assert.Equal(20f, array.GetFlat<float>(1));
    }

    [Fact]
    public void FromArray_Matrix_IsCOrder()
    {
        double[,] data = { { 1, 2, 3 }, { 4, 5, 6 } };

        NdArray array = NdArray.FromArray(data);

        Assert.Equal(new Shape(2, 3), array.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], array.ToArray<double>());
        Assert.Equal(6.0, array.GetItem<double>(1, 2));
        Assert.Equal(2.0, array.GetItem<double>(0, 1));
    }

    [Fact]
    public void FromArray_Rank3_RoundTripsThroughToArray()
    {
        int[,,] data = new int[2, 3, 4];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 4; k++)
                {
                    data[i, j, k] = (100 * i) + (10 * j) + k;
                }
            }
        }

        NdArray array = NdArray.FromArray(data);
        var back = (int[,,])array.ToArray();

        Assert.Equal(new Shape(2, 3, 4), array.Shape);
        Assert.Equal(123, array.GetItem<int>(1, 2, 3));
        Assert.Equal(data, back);
        Assert.Equal(13, array.GetFlat<int>(7)); // [0, 1, 3]
    }

    [Fact]
    public void FromArray_Rank4_RoundTripsThroughToArray()
    {
        var data = new Half[2, 1, 3, 2];
        data[1, 0, 2, 1] = (Half)7.5;
        data[0, 0, 1, 0] = (Half)(-1);

        NdArray array = NdArray.FromArray(data);
        var back = (Half[,,,])array.ToArray();

        Assert.Equal(new Shape(2, 1, 3, 2), array.Shape);
        Assert.Equal(DType.Float16, array.DType);
        Assert.Equal((Half)7.5, array.GetItem<Half>(1, 0, 2, 1));
        Assert.Equal((Half)7.5, array.GetFlat<Half>(11));
        Assert.Equal(data, back);
    }

    [Fact]
    public void FromArray_WithShape_ReshapesWithoutCopy()
    {
        long[] data = [1, 2, 3, 4, 5, 6];

        NdArray array = NdArray.FromArray(data, new Shape(3, 2));
        data[5] = 60;

        Assert.Equal(60L, array.GetItem<long>(2, 1));
        Assert.Throws<ArgumentException>(() => NdArray.FromArray(data, new Shape(4, 2)));
    }

    [Fact]
    public void FromArray_UnsupportedElementType_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => NdArray.FromArray(new decimal[2]));
        Assert.Throws<NotSupportedException>(() => NdArray.FromArray(new string[2]));
    }

    [Fact]
    public void Create_FromSpan_Copies()
    {
        Span<ushort> values = [1, 2, 3, 4];

        NdArray array = NdArray.Create<ushort>(values, new Shape(2, 2));
        values[0] = 100;

        Assert.Equal(DType.UInt16, array.DType);
        Assert.Equal((ushort)1, array.GetItem<ushort>(0, 0));
        Assert.Throws<ArgumentException>(() => NdArray.Create<ushort>([1, 2], new Shape(3)));
    }

    [Fact]
    public void AsSpan_WritesThroughToArray()
    {
        NdArray array = NdArray.Zeros(DType.Int32, new Shape(2, 2));

        array.AsSpan<int>()[3] = 42;

        Assert.Equal(42, array.GetItem<int>(1, 1));
        Assert.Equal(42, array.AsReadOnlySpan<int>()[3]);
        Assert.Equal(16, array.AsSpan<byte>().Length);
    }

    [Fact]
    public void AsSpan_WrongElementType_Throws()
    {
        NdArray array = NdArray.Zeros(DType.Int32, new Shape(2));

        Assert.Throws<InvalidOperationException>(() => array.AsSpan<float>());
        Assert.Throws<InvalidOperationException>(() => array.ToArray<long>());
        Assert.Throws<InvalidOperationException>(() => array.GetFlat<uint>(0));
    }

    [Fact]
    public void GetItem_OutOfRange_Throws()
    {
        NdArray array = NdArray.Zeros(DType.Int32, new Shape(2, 3));

        Assert.Throws<ArgumentOutOfRangeException>(() => array.GetItem<int>(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.GetItem<int>(0, -1));
        Assert.Throws<ArgumentException>(() => array.GetItem<int>(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.GetFlat<int>(6));
    }

    [Fact]
    public void FromTensor_CopiesShapeAndElements()
    {
        Tensor<float> tensor = Tensor.Create([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);

        NdArray array = NdArray.FromTensor(tensor);

        Assert.Equal(new Shape(2, 3), array.Shape);
        Assert.Equal(DType.Float32, array.DType);
        Assert.Equal(6f, array.GetItem<float>(1, 2));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], array.ToArray<float>());
    }

    [Fact]
    public void ToTensor_KeepsShapeAndElements()
    {
        NdArray array = NdArray.Create<double>([1, 2, 3, 4, 5, 6], new Shape(3, 2));

        Tensor<double> tensor = array.ToTensor<double>();

        Assert.Equal([3, 2], tensor.Lengths.ToArray());
        Assert.Equal(4.0, tensor[1, 1]);
        Assert.Equal(array, NdArray.FromTensor(tensor));
    }

    [Fact]
    public void Tensor_Empty_RoundTrips()
    {
        NdArray empty = NdArray.Zeros(DType.Int64, new Shape(0, 3));

        Tensor<long> tensor = empty.ToTensor<long>();
        NdArray back = NdArray.FromTensor(tensor);

        Assert.Equal(new Shape(0, 3), back.Shape);
        Assert.Equal(0, back.Length);
    }

    [Fact]
    public void Scalar_IsZeroD()
    {
        NdArray scalar = NdArray.Scalar(3.5);

        Assert.Equal(0, scalar.Rank);
        Assert.Equal(Shape.Scalar, scalar.Shape);
        Assert.Equal(1, scalar.Length);
        Assert.Equal(8, scalar.ByteLength);
        Assert.Equal(3.5, scalar.GetItem<double>());
        Assert.Equal([3.5], (double[])scalar.ToArray());
        Assert.Equal("array(3.5, dtype=float64)", scalar.ToString());
    }

    [Fact]
    public void Empty_HasNoElementsButKeepsShape()
    {
        NdArray empty = NdArray.FromArray(new float[0, 3]);

        Assert.Equal(new Shape(0, 3), empty.Shape);
        Assert.Equal(0, empty.Length);
        Assert.Equal(0, empty.ByteLength);
        Assert.Equal(0, ((float[,])empty.ToArray()).GetLength(0));
        Assert.Equal(3, ((float[,])empty.ToArray()).GetLength(1));
        Assert.Empty(empty.ToArray<float>());
        Assert.Equal("array([], shape=(0, 3), dtype=float32)", empty.ToString());
        Assert.Equal("array([], dtype=float32)", NdArray.FromArray(Array.Empty<float>()).ToString());
    }

    [Fact]
    public void Copy_OwnsItsMemory()
    {
        int[] data = [1, 2];
        NdArray array = NdArray.FromArray(data);

        NdArray copy = array.Copy();
        data[0] = 10;

        Assert.Equal(1, copy.GetFlat<int>(0));
        Assert.NotEqual(array, copy);
    }

    [Fact]
    public void Reshape_SharesMemoryAndChecksCount()
    {
        int[] data = [1, 2, 3, 4, 5, 6];
        NdArray array = NdArray.FromArray(data).Reshape(new Shape(2, 3));

        data[4] = 50;

        Assert.Equal(50, array.GetItem<int>(1, 1));
        Assert.Throws<ArgumentException>(() => array.Reshape(new Shape(4)));
    }

    [Fact]
    public void Equals_ComparesDTypeShapeAndBytes()
    {
        NdArray a = NdArray.Create<int>([1, 2, 3, 4], new Shape(2, 2));

        Assert.Equal(a, NdArray.Create<int>([1, 2, 3, 4], new Shape(2, 2)));
        Assert.NotEqual(a, NdArray.Create<int>([1, 2, 3, 4]));
        Assert.NotEqual(a, NdArray.Create<uint>([1, 2, 3, 4], new Shape(2, 2)));
        Assert.NotEqual(a, NdArray.Create<int>([1, 2, 3, 5], new Shape(2, 2)));
    }

    [Fact]
    public void ToString_PrintsNumpyRepr()
    {
        Assert.Equal("array([[1.0, 2.0], [3.0, 4.0]], dtype=float32)", NdArray.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }).ToString());
        Assert.Equal("array([True, False], dtype=bool)", NdArray.FromArray(new[] { true, false }).ToString());
        Assert.Equal("array([(1.5-2.25j)], dtype=complex128)", NdArray.FromArray(new[] { new Complex(1.5, -2.25) }).ToString());
    }

    [Fact]
    public void ToString_MlDtypes_PrintLikeMlDtypes()
    {
        float[] values = [1f, 1e10f, 0.1f, -2.5f, 1e-5f, float.NegativeInfinity, float.NaN];

        string bf16 = NdArray.Create<BFloat16>([.. values.Select(v => (BFloat16)v)]).ToString();
        string e5m2 = NdArray.Create<Float8E5M2>([(Float8E5M2)448f, (Float8E5M2)0.1f]).ToString();

        Assert.Equal("array([1, 9.99922e+09, 0.100098, -2.5, 1.00136e-05, -inf, nan], dtype=bfloat16)", bf16);
        Assert.Equal("array([448, 0.09375], dtype=float8_e5m2)", e5m2);
        // float16 keeps numpy's shortest round-trip digits: 65504 prints as 65500.0, as numpy prints it.
        Assert.Equal("array([0.5, 65500.0], dtype=float16)", NdArray.Create<Half>([(Half)0.5, Half.MaxValue]).ToString());
    }

    [Fact]
    public void ToString_LargeArray_SummarisesLikeNumpy()
    {
        string text = NdArray.FromArray(Enumerable.Range(0, 2000).ToArray()).ToString();

        Assert.Equal("array([0, 1, 2, ..., 1997, 1998, 1999], dtype=int32)", text);
    }
}
