using System.Numerics.Tensors;
using BrainTools.Checkpoint.Tests.Interop;
using BrainTools.Checkpoint.Tests.Storage;

namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>Msgpack.LoadInto: the saved values go into the template's own arrays (PyTorch's load_state_dict).</summary>
public class LoadIntoTests
{
    public static IEnumerable<object[]> Vectors() => Manifest.Names();

    private sealed class Layer : Module
    {
        public ParamState<NdArray> Weight { get; } = new(NdArray.Zeros(DType.Float32, new Shape(3L, 4L)));

        public ParamState<float[]> Bias { get; } = new(new float[4]);

        public State<long> Steps { get; } = new(0);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void LoadInto_EveryVector_GivesTheTreeOfLoadInTheTemplatesArrays(string name)
    {
        string file = Manifest.All[name].FilePath;
        StateNode loaded = Msgpack.Load(file);
        StateNode template = Blank(loaded);
        NdArray[] templateArrays = [.. Arrays(template)];

        StateNode result = Msgpack.LoadInto(file, template);

        Assert.True(loaded.DeepEquals(result), $"{name}: trees differ");
        Assert.Equal(loaded.ToString(), result.ToString());
        NdArray[] resultArrays = [.. Arrays(result)];
        Assert.Equal(templateArrays.Length, resultArrays.Length);
        Assert.All(templateArrays.Zip(resultArrays), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public void LoadInto_Module_FillsTheStatesOwnArrays()
    {
        using var dir = new TempDirectory();
        var saved = new Layer();
        saved.Weight.Value.AsSpan<float>().Fill(0.5f);
        saved.Bias.Value.AsSpan().Fill(-1f);
        saved.Steps.Value = 42;
        string file = dir.File("layer.msgpack");
        Msgpack.Save(file, saved.States());
        var model = new Layer();
        NdArray weight = model.Weight.Value;
        float[] bias = model.Bias.Value;

        Msgpack.LoadInto(file, model.States());

        Assert.Same(weight, model.Weight.Value);
        Assert.Same(bias, model.Bias.Value);
        Assert.All(weight.AsReadOnlySpan<float>().ToArray(), value => Assert.Equal(0.5f, value));
        Assert.All(bias, value => Assert.Equal(-1f, value));
        Assert.Equal(42, model.Steps.Value);
    }

    [Fact]
    public void LoadInto_TypedArraysAndTensor_FilledInPlaceWithConversion()
    {
        using var dir = new TempDirectory();
        string file = dir.File("typed.msgpack");
        Msgpack.Save(file, new StateMap()
            .Set("matrix", NdArray.FromArray(new double[,] { { 1.5, 2.5 }, { -3.5, 4.25 } }))
            .Set("vector", NdArray.FromArray(new[] { 7, 8, 9 }))
            .Set("tensor", NdArray.FromArray(new[] { 1f, 2f, 3f, 4f }, new Shape(2L, 2L))));
        var matrix = new float[2, 2];
        var vector = new long[3];
        Tensor<float> tensor = Tensor.Create(new float[4], [2, 2]);
        var template = new Dictionary<string, object> { ["matrix"] = matrix, ["vector"] = vector, ["tensor"] = tensor };

        Dictionary<string, object> result = Msgpack.LoadInto(file, template);

        Assert.Same(matrix, result["matrix"]);
        Assert.Same(vector, result["vector"]);
        Assert.Same(tensor, result["tensor"]);
        Assert.Equal(new float[,] { { 1.5f, 2.5f }, { -3.5f, 4.25f } }, matrix);
        Assert.Equal([7L, 8L, 9L], vector);
        Assert.Equal([1f, 2f, 3f, 4f], tensor.ToArray());
    }

    [Fact]
    public void LoadInto_ShapeMismatch_ErrorNamesPathAndWarnLeavesTheArrayUntouched()
    {
        using var dir = new TempDirectory();
        string file = dir.File("m.msgpack");
        Msgpack.Save(file, new StateMap().Set("w", NdArray.FromArray(new[] { 1f, 2f, 3f })).Set("b", NdArray.FromArray(new[] { 5f })));
        var w = new float[2];
        var b = new float[1];
        var warnings = new List<CheckpointWarning>();

        var error = Assert.Throws<CheckpointMismatchException>(() => Msgpack.LoadInto(file, new Dictionary<string, float[]> { ["w"] = w, ["b"] = b }));
        Msgpack.LoadInto(file, new Dictionary<string, float[]> { ["w"] = w, ["b"] = b }, Mismatch.Warn, options: MsgpackOptions.Default with { OnWarning = warnings.Add });

        Assert.Equal("./w", error.TreePath);
        Assert.Equal(file, error.FilePath);
        Assert.Equal([0f, 0f], w);
        Assert.Equal([5f], b);
        Assert.Single(warnings);
    }

    [Fact]
    public void LoadInto_MismatchUnderError_LeavesEveryArrayAsItWas()
    {
        using var dir = new TempDirectory();
        string file = dir.File("m.msgpack");
        Msgpack.Save(file, new StateMap().Set("a", NdArray.FromArray(new[] { 1f, 2f })).Set("z", NdArray.FromArray(new[] { 3f })));
        var a = new float[2];
        var z = new float[2];

        Assert.Throws<CheckpointMismatchException>(() => Msgpack.LoadInto(file, new Dictionary<string, float[]> { ["a"] = a, ["z"] = z }));

        // "a" fits and comes first, but the walk fails at "z" before any array is written.
        Assert.Equal([0f, 0f], a);
        Assert.Equal([0f, 0f], z);
    }

    [Fact]
    public void LoadInto_ManyArraysAndMixedDTypes_ReadTogetherEqualLoad()
    {
        using var dir = new TempDirectory();
        string file = dir.File("many.msgpack");
        var random = new Random(21);
        var saved = new StateMap();
        for (int i = 0; i < 24; i++)
        {
            saved.Set($"w{i}", TreeGenerator.RandomArray(random, DType.Int32, new Shape(50_000L + i)));
        }

        saved.Set("f64", NdArray.FromArray(Enumerable.Range(0, 1000).Select(i => i * 0.25).ToArray()));
        Msgpack.Save(file, saved);
        var template = new StateMap();
        foreach (KeyValuePair<string, StateNode> item in saved)
        {
            NdArray array = item.Value.AsArray();
            template.Set(item.Key, NdArray.Zeros(item.Key == "f64" ? DType.Float32 : array.DType, array.Shape));
        }

        StateNode result = Msgpack.LoadInto(file, template);

        foreach (KeyValuePair<string, StateNode> item in saved)
        {
            NdArray expected = item.Key == "f64" ? item.Value.AsArray().AsType(DType.Float32) : item.Value.AsArray();
            Assert.True(expected.Equals(result[item.Key].AsArray()), item.Key);
            Assert.Same(template[item.Key].AsArray(), result[item.Key].AsArray());
        }
    }

    [Fact]
    public void LoadInto_OneArrayUnderTwoKeys_GetsTheLaterValueAsInOrder()
    {
        using var dir = new TempDirectory();
        string file = dir.File("tied.msgpack");
        var random = new Random(2);
        NdArray first = TreeGenerator.RandomArray(random, DType.Int16, new Shape(3L << 20));
        NdArray second = TreeGenerator.RandomArray(random, DType.Int16, new Shape(3L << 20));
        Msgpack.Save(file, new StateMap().Set("a", first).Set("b", second));
        var tied = new short[3 << 20];

        Msgpack.LoadInto(file, new Dictionary<string, short[]> { ["a"] = tied, ["b"] = tied });

        Assert.True(second.Equals(NdArray.FromArray(tied)));
    }

    [Fact]
    public void LoadInto_ChunkedArray_ReadsChunksIntoTheTemplateWithoutAJoinedCopy()
    {
        using var dir = new TempDirectory();
        string file = dir.File("chunked.msgpack");
        NdArray saved = TreeGenerator.RandomArray(new Random(6), DType.Float32, new Shape(1024L, 1024L));
        Msgpack.Save(file, new StateMap().Set("w", saved), options: MsgpackOptions.Default with { MaxChunkSize = 1L << 18 });
        var template = new StateMap().Set("w", NdArray.Zeros(DType.Float32, saved.Shape));
        Msgpack.LoadInto(file, template); // warm up: the JIT allocates too

        long before = GC.GetAllocatedBytesForCurrentThread();
        Msgpack.LoadInto(file, template);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(saved.Equals(template["w"].AsArray()));
        Assert.True(allocated < saved.ByteLength / 4, $"{allocated} bytes allocated for a {saved.ByteLength}-byte array");
    }

    [Fact]
    public void LoadInto_NullSlotForChunkedArray_GetsArrayReadableAfterTheLoad()
    {
        using var dir = new TempDirectory();
        string file = dir.File("chunked.msgpack");
        NdArray saved = TreeGenerator.RandomArray(new Random(9), DType.Int64, new Shape(5000L));
        Msgpack.Save(file, new StateMap().Set("w", saved), options: MsgpackOptions.Default with { MaxChunkSize = 4096 });

        Dictionary<string, object?> result = Msgpack.LoadInto(file, new Dictionary<string, object?> { ["w"] = null });

        // The reader is disposed by now: the chunks are joined on first read, from the mapping it left alive.
        Assert.True(saved.Equals((NdArray)result["w"]!));
    }

    [Fact]
    public void LoadInto_TemplateAsksForPart_ReadsOnlyThatPart()
    {
        using var dir = new TempDirectory();
        string file = dir.File("big.msgpack");
        NdArray wanted = NdArray.FromArray(new[] { 1.0, 2.0 });
        Msgpack.Save(file, new StateMap().Set("huge", NdArray.Zeros(DType.Float32, new Shape(1L << 20))).Set("small", wanted));
        var template = new StateMap().Set("small", NdArray.Zeros(DType.Float64, new Shape(2L)));

        StateNode result = Msgpack.LoadInto(file, template);

        Assert.True(wanted.Equals(result["small"].AsArray()));
        Assert.False(result.AsMap().ContainsKey("huge"));
    }

    [Fact]
    public void LoadInto_MissingFile_ThrowsCheckpointNotFound()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<FileNotFoundException>(() => Msgpack.LoadInto(dir.File("none.msgpack"), new StateMap()));
        Assert.StartsWith("Checkpoint not found: ", error.Message, StringComparison.Ordinal);
    }

    // The tree's structure with new zero arrays of the same dtypes and shapes, and the other leaves as they are.
    // A template as a model gives it: arrays of the right shape, units kept (a quantity's dim is its unit, not data).
    private static StateNode Blank(StateNode node) => node switch
    {
        StateMap map when Quantity.TryFromStateDict(map, out _) => map.Aggregate(new StateMap(map.Count), (blank, item) => blank.Set(item.Key, item.Key == "mantissa" ? Blank(item.Value) : item.Value)),
        StateMap map => map.Aggregate(new StateMap(map.Count), (blank, item) => blank.Set(item.Key, Blank(item.Value))),
        StateValue { Value: NdArray array } => new StateValue(NdArray.Zeros(array.DType, array.Shape)),
        _ => node,
    };

    private static IEnumerable<NdArray> Arrays(StateNode node) => node switch
    {
        StateMap map => map.SelectMany(item => Arrays(item.Value)),
        StateValue { Value: NdArray array } => [array],
        _ => [],
    };
}
