using TorchSharp;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class TensorArraysTests
{
    public static TheoryData<ScalarType> AllTypes()
    {
        var data = new TheoryData<ScalarType>();
        foreach ((ScalarType type, DType _) in TorchDTypes.Table)
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void SaveThenLoadInto_EveryTableType_IsBitExact(ScalarType type)
    {
        using var dir = new TempDirectory();
        string path = dir.File("tensor.msgpack");
        using Tensor source = RandomOf(type, seed: 1);
        using Tensor target = RandomOf(type, seed: 2);
        TorchSerialization.Register();

        Msgpack.Save(path, new Dictionary<string, object> { ["t"] = source });
        NdArray saved = (NdArray)Msgpack.Load(path)["t"];
        Msgpack.LoadInto(path, new Dictionary<string, object> { ["t"] = target });

        Assert.Equal(TorchDTypes.ToDType(type), saved.DType);
        Assert.Equal(new Shape(3, 5), saved.Shape);
        Assert.Equal(TorchModels.Bytes(source), saved.GetBytes(0, (int)saved.ByteLength).ToArray());
        Assert.Equal(TorchModels.Bytes(source), TorchModels.Bytes(target));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void ToTensor_EveryTableType_CopiesBitsAndDType(ScalarType type)
    {
        using Tensor source = RandomOf(type, seed: 3);
        NdArray array = TensorArrays.AsNdArray(source).Copy();

        using Tensor tensor = TensorArrays.ToTensor(array);

        Assert.Equal(type, tensor.dtype);
        Assert.Equal(source.shape, tensor.shape);
        Assert.Equal(TorchModels.Bytes(source), TorchModels.Bytes(tensor));
    }

    [Fact]
    public void AsNdArray_ContiguousTensor_SharesMemory()
    {
        using Tensor tensor = zeros(2, 3);

        NdArray view = TensorArrays.AsNdArray(tensor);
        view.AsSpan<float>()[4] = 7f;

        Assert.Equal(7f, tensor[1, 1].item<float>());
    }

    [Fact]
    public void AsNdArray_SliceWithOffset_ViewsTheSliceStart()
    {
        using Tensor tensor = arange(10, dtype: ScalarType.Int32);
        using Tensor tail = tensor.narrow(0, 6, 4);

        NdArray view = TensorArrays.AsNdArray(tail);

        Assert.Equal(new[] { 6, 7, 8, 9 }, view.AsSpan<int>().ToArray());
    }

    [Fact]
    public void AsNdArray_TensorPast2GiB_ViewsAllOfItWithoutACopy()
    {
        // Tensor.bytes stops at 2 GiB; the view must not. Uninitialised memory: only the pages written are touched.
        const long Length = (1L << 31) + 64;
        using Tensor tensor = empty([Length], ScalarType.Int8);
        using Tensor tail = tensor.narrow(0, Length - 8, 8);
        tail.copy_(arange(1, 9, dtype: ScalarType.Int8));
        using Tensor head = tensor.narrow(0, 0, 4);
        head.fill_(-3);

        NdArray view = TensorArrays.AsNdArray(tensor);

        Assert.Equal(Length, view.ByteLength);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, view.GetBytes(Length - 8, 8).ToArray());
        Assert.Equal(new byte[] { 253, 253, 253, 253 }, view.GetBytes(0, 4).ToArray());
    }

    [Fact]
    public void AsNdArray_Transposed_Throws()
    {
        using Tensor tensor = zeros(2, 3);
        using Tensor transposed = tensor.t();

        Assert.Throws<ArgumentException>(() => TensorArrays.AsNdArray(transposed));
    }

    [Fact]
    public void SaveThenLoadInto_TransposedTensor_CopiesThroughAContiguousStage()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.msgpack");
        using Tensor source = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using Tensor sourceT = source.t();
        using Tensor target = zeros(2, 3);
        using Tensor targetT = target.t();
        TorchSerialization.Register();

        Msgpack.Save(path, new Dictionary<string, object> { ["t"] = sourceT });
        NdArray saved = (NdArray)Msgpack.Load(path)["t"];
        Msgpack.LoadInto(path, new Dictionary<string, object> { ["t"] = targetT });

        Assert.Equal(new Shape(3, 2), saved.Shape);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, saved.AsSpan<float>().ToArray());
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, target.data<float>().ToArray());
    }

    [Fact]
    public void ToTensor_UInt32_ThrowsNamingTheDType()
    {
        NdArray array = NdArray.Create<uint>([1, 2, 3]);

        var error = Assert.Throws<CheckpointException>(() => TensorArrays.ToTensor(array));

        Assert.Contains("uint32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadInto_UInt16ArrayIntoInt32Tensor_Converts()
    {
        using var dir = new TempDirectory();
        string path = dir.File("u16.msgpack");
        Msgpack.Save(path, new Dictionary<string, object> { ["t"] = NdArray.Create<ushort>([1, 65535]) });
        using Tensor target = zeros(2, dtype: ScalarType.Int32);
        TorchSerialization.Register();

        Msgpack.LoadInto(path, new Dictionary<string, object> { ["t"] = target });

        Assert.Equal(new[] { 1, 65535 }, target.data<int>().ToArray());
    }

    [Fact]
    public void Load_ShapeMismatchUnderError_ThrowsWithTreePath()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.msgpack");
        TorchSerialization.Register();
        using Tensor saved = zeros(3);
        Msgpack.Save(path, new Dictionary<string, object> { ["layer"] = new Dictionary<string, object> { ["w"] = saved } });
        using Tensor target = zeros(4);

        var error = Assert.Throws<CheckpointMismatchException>(
            () => Msgpack.LoadInto(path, new Dictionary<string, object> { ["layer"] = new Dictionary<string, object> { ["w"] = target } }));

        Assert.Contains("./layer/w", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DTypeTable_RoundTrips_AndRefusesQuantized()
    {
        foreach ((ScalarType type, DType dtype) in TorchDTypes.Table)
        {
            Assert.Equal(dtype, TorchDTypes.ToDType(type));
            Assert.Equal(type, TorchDTypes.ToScalarType(dtype));
            Assert.Equal(dtype.ItemSize, (int)empty(1, dtype: type).element_size());
        }

        Assert.Throws<CheckpointException>(() => TorchDTypes.ToDType(ScalarType.QInt8));
        Assert.False(TorchDTypes.TryToScalarType(DType.Float8E4M3FN, out _));
    }

    // Random bits reinterpreted as the type: every bit pattern (NaN payloads, subnormals) must survive.
    private static Tensor RandomOf(ScalarType type, long seed)
    {
        var random = new Random((int)seed);
        int itemSize = TorchDTypes.ToDType(type).ItemSize;
        byte[] bytes = new byte[15 * itemSize];
        random.NextBytes(bytes);
        if (type == ScalarType.Bool)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }

        Tensor tensor = empty([3, 5], type);
        tensor.bytes = bytes;
        return tensor;
    }
}
