namespace BrainTools.Checkpoint.Tests.Arrays;

/// <summary>Every dtype in every shape kind survives the wire bit for bit, through bytes, a file and a stream.</summary>
public class DTypeRoundTripTests
{
    private static readonly long[][] Shapes = [[], [0], [0, 3], [1], [5], [2, 3], [2, 3, 4], [1, 2, 1, 3]];

    public static TheoryData<string, string> DTypesAndShapes()
    {
        var data = new TheoryData<string, string>();
        foreach (DType dtype in DType.All)
        {
            foreach (long[] shape in Shapes)
            {
                data.Add(dtype.Name, new Shape(shape).ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void SerializeDeserialize_Array_RoundTripsBitExact(string dtype, string shape)
    {
        NdArray array = Pattern(DType.FromName(dtype), ParseShape(shape));
        var tree = new StateMap { { "x", array } };

        StateNode loaded = Msgpack.Deserialize(Msgpack.Serialize(tree));

        AssertSameArray(array, loaded["x"].AsArray());
    }

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void SaveLoadFile_Array_RoundTripsBitExact(string dtype, string shape)
    {
        using var dir = new TempDirectory();
        NdArray array = Pattern(DType.FromName(dtype), ParseShape(shape));

        Msgpack.Save(dir.File("a.msgpack"), new Dictionary<string, object> { ["x"] = array, ["top"] = 1 });
        StateNode loaded = Msgpack.Load(dir.File("a.msgpack"));

        AssertSameArray(array, loaded["x"].AsArray());
    }

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void SaveLoadStream_TopLevelArray_RoundTripsBitExact(string dtype, string shape)
    {
        NdArray array = Pattern(DType.FromName(dtype), ParseShape(shape));
        using var stream = new MemoryStream();

        Msgpack.Save(stream, array);
        stream.Position = 0;
        StateNode loaded = Msgpack.Load(stream);

        AssertSameArray(array, loaded.AsArray());
    }

    [Theory]
    [MemberData(nameof(DTypesAndShapes))]
    public void Serialize_ChunkedWithSmallThreshold_RoundTripsBitExact(string dtype, string shape)
    {
        NdArray array = Pattern(DType.FromName(dtype), ParseShape(shape));
        var options = MsgpackOptions.Default with { MaxChunkSize = 5 };

        byte[] data = Msgpack.Serialize(new StateMap { { "x", array }, { "y", array }, { "after", 1L } }, options);

        // Deserialize copies each chunk; Load(stream) reassembles them in place in the memory it read the data into.
        foreach (StateNode loaded in new[] { Msgpack.Deserialize(data), Msgpack.Load(new MemoryStream(data)) })
        {
            AssertSameArray(array, loaded["x"].AsArray());
            AssertSameArray(array, loaded["y"].AsArray());
            Assert.Equal(1L, (long)loaded["after"]);
        }
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void SerializeDeserialize_NumpyScalar_StaysNumpyScalar(string dtype)
    {
        DType type = DType.FromName(dtype);
        NumpyScalar scalar = NumpyScalar.FromBytes(type, Pattern(type, Shape.Scalar).GetBytes(0, type.ItemSize));

        StateNode loaded = Msgpack.Deserialize(Msgpack.Serialize(new StateMap { { "s", scalar } }));

        Assert.Equal(StateNodeKind.NumpyScalar, loaded["s"].Kind);
        Assert.Equal(scalar, loaded["s"].GetValue<NumpyScalar>());
    }

    public static TheoryData<string> AllDTypes => [.. DType.All.Select(d => d.Name)];

    // Varied bytes; every bit pattern is kept, NaN payloads included (bools stay 0/1 as numpy writes them).
    private static NdArray Pattern(DType dtype, Shape shape)
    {
        var bytes = new byte[shape.ElementCount * dtype.ItemSize];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = dtype == DType.Bool ? (byte)(i % 3 == 0 ? 1 : 0) : (byte)((i * 151) + 17);
        }

        return NdArray.FromBytes(dtype, shape, bytes);
    }

    private static Shape ParseShape(string text)
    {
        long[] dims = [.. text.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse)];
        return new Shape(dims);
    }

    private static void AssertSameArray(NdArray expected, NdArray actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(expected.GetBytes(0, (int)expected.ByteLength).SequenceEqual(actual.GetBytes(0, (int)actual.ByteLength)));
    }
}
