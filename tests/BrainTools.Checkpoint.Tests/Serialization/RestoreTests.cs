using System.Collections.Immutable;
using System.Numerics;
using System.Numerics.Tensors;

namespace BrainTools.Checkpoint.Tests.Serialization;

public class RestoreTests
{
    private enum Activation
    {
        Relu,
        Sigmoid,
    }

    private sealed record Layer(NdArray Weights, float[] Bias);

    private sealed record Config
    {
        public string Activation { get; init; } = "relu";

        [CheckpointName("lr")]
        public double LearningRate { get; init; }

        [CheckpointIgnore]
        public string Note { get; init; } = "not saved";
    }

    private sealed class Trainer
    {
        public int Step { get; set; }

        public double[] History = [0, 0];

        public Activation Kind { get; set; }

        public int Doubled => Step * 2;
    }

    private struct Counter
    {
        public long Count;
        public double Rate;
    }

    private static T RoundTrip<T>(T value, T template, Mismatch mismatch = Mismatch.Error) =>
        Msgpack.FromStateDict(template, Msgpack.Deserialize(Msgpack.Serialize(value)), mismatch);

    [Fact]
    public void FromStateDict_TreeDeeperThanTheStack_ThrowsInsteadOfOverflowing()
    {
        // Built in memory, so no load's MaxDepth bounds it.
        StateMap template = DeepTrees.Chain(50_001);
        StateMap state = DeepTrees.Chain(50_001);

        (_, Exception? caught) = DeepTrees.OnThread(256 * 1024, () => Msgpack.FromStateDict(template, state));

        var error = Assert.IsType<CheckpointException>(caught);
        Assert.StartsWith("./a/a/a/", error.TreePath, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStateDict_Record_IsMapOfSnakeCaseMembersInDeclarationOrder()
    {
        StateNode state = Msgpack.ToStateDict(new Config { Activation = "tanh", LearningRate = 0.1 });

        Assert.Equal("{'activation': 'tanh', 'lr': 0.1}", state.ToString());
    }

    [Fact]
    public void RoundTrip_RecordWithInitProperties_ComesBackEqual()
    {
        var saved = new Config { Activation = "sigmoid", LearningRate = 0.01, Note = "other" };

        Config restored = RoundTrip(saved, new Config());

        Assert.Equal("sigmoid", restored.Activation);
        Assert.Equal(0.01, restored.LearningRate);
        Assert.Equal("not saved", restored.Note);
    }

    [Fact]
    public void RoundTrip_PositionalRecord_ComesBackWithTypesOfTemplate()
    {
        var saved = new Layer(NdArray.Create<float>([1, 2, 3, 4], new Shape(2, 2)), [0.5f, 0.25f]);
        var template = new Layer(NdArray.Zeros(DType.Float32, new Shape(2, 2)), new float[2]);

        Layer restored = RoundTrip(saved, template);

        Assert.Equal(saved.Weights, restored.Weights);
        Assert.Equal(saved.Bias, restored.Bias);
        Assert.NotSame(template, restored);
        Assert.Equal(new float[2], template.Bias);
    }

    [Fact]
    public void FromStateDict_PlainClass_IsRestoredInPlace()
    {
        var template = new Trainer();
        StateNode state = Msgpack.ToStateDict(new Trainer { Step = 7, History = [1.5, 2.5], Kind = Activation.Sigmoid });

        Trainer restored = Msgpack.FromStateDict(template, state);

        Assert.Same(template, restored);
        Assert.Equal(7, restored.Step);
        Assert.Equal([1.5, 2.5], restored.History);
        Assert.Equal(Activation.Sigmoid, restored.Kind);
        Assert.Equal("{'step': 7, 'history': array([1.5, 2.5], dtype=float64), 'kind': 1}", state.ToString());
    }

    [Fact]
    public void RoundTrip_AnonymousType_RebuiltThroughConstructor()
    {
        var saved = new { Epoch = 3, Weights = new float[] { 1, 2 } };

        var restored = RoundTrip(saved, new { Epoch = 0, Weights = new float[2] });

        Assert.Equal("{'epoch': 3, 'weights': array([1.0, 2.0], dtype=float32)}", Msgpack.ToStateDict(saved).ToString());
        Assert.Equal(3, restored.Epoch);
        Assert.Equal([1f, 2f], restored.Weights);
    }

    [Fact]
    public void RoundTrip_Struct_ComesBackEqual()
    {
        Counter restored = RoundTrip(new Counter { Count = 3, Rate = 0.5 }, default(Counter));

        Assert.Equal(3, restored.Count);
        Assert.Equal(0.5, restored.Rate);
    }

    [Fact]
    public void FromStateDict_Dictionary_GivesNewDictionaryOfSameTypeAndComparer()
    {
        var template = new SortedDictionary<string, double> { ["b"] = 0, ["a"] = 0 };
        var caseless = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["X"] = 0 };

        SortedDictionary<string, double> sorted = RoundTrip(new SortedDictionary<string, double> { ["a"] = 1, ["b"] = 2 }, template);
        Dictionary<string, int> restored = RoundTrip(new Dictionary<string, int> { ["X"] = 5 }, caseless);

        Assert.Equal(new SortedDictionary<string, double> { ["a"] = 1, ["b"] = 2 }, sorted);
        Assert.NotSame(template, sorted);
        Assert.Equal(5, restored["x"]);
    }

    [Fact]
    public void FromStateDict_IntKeyedDictionary_MatchesKeysByStringForm()
    {
        var template = new Dictionary<int, string> { [1] = "", [20] = "" };

        Dictionary<int, string> restored = RoundTrip(new Dictionary<int, string> { [1] = "one", [20] = "twenty" }, template);

        Assert.Equal("twenty", restored[20]);
    }

    [Fact]
    public void FromStateDict_ImmutableDictionaryDeclaredAsInterface_GivesDictionary()
    {
        IReadOnlyDictionary<string, long> template = ImmutableDictionary<string, long>.Empty.Add("a", 0);

        IReadOnlyDictionary<string, long> restored = Msgpack.FromStateDict(template, Msgpack.ToStateDict(new Dictionary<string, long> { ["a"] = 9 }));

        Assert.Equal(9, restored["a"]);
    }

    [Fact]
    public void RoundTrip_ListsArraysAndTuples_ComeBackWithTemplateTypes()
    {
        var value = (new List<string> { "a", "b" }, new[] { "x" }, Tuple.Create(1, 2.5), (1L, "s", 3.0f, true, (byte)4, (short)5, 6u, 7UL, 'c'));
        var template = (new List<string> { "", "" }, new[] { "" }, Tuple.Create(0, 0.0), (0L, "", 0f, false, (byte)0, (short)0, 0u, 0UL, ' '));

        var restored = RoundTrip(value, template);

        Assert.Equal(value.Item1, restored.Item1);
        Assert.Equal(value.Item2, restored.Item2);
        Assert.Equal(value.Item3, restored.Item3);
        Assert.Equal(value.Item4, restored.Item4);
    }

    [Fact]
    public void FromStateDict_NdArrayTemplate_KeepsLoadedDType()
    {
        var template = NdArray.Zeros(DType.Float32, new Shape(2));
        NdArray saved = NdArray.Create<double>([1.5, 2.5]);

        NdArray restored = Msgpack.FromStateDict(template, new StateValue(saved));

        Assert.Same(saved, restored);
        Assert.Equal(DType.Float64, restored.DType);
    }

    [Fact]
    public void FromStateDict_TypedArrayOfOtherDType_ConvertsLikeAstype()
    {
        NdArray saved = NdArray.Create<double>([1.9, -2.7, 300.0, 0.0], new Shape(2, 2));

        int[,] ints = Msgpack.FromStateDict(new int[2, 2], new StateValue(saved));
        float[,] floats = Msgpack.FromStateDict(new float[2, 2], new StateValue(saved));
        bool[,] bools = Msgpack.FromStateDict(new bool[2, 2], new StateValue(saved));

        Assert.Equal(new[,] { { 1, -2 }, { 300, 0 } }, ints);
        Assert.Equal(new[,] { { 1.9f, -2.7f }, { 300f, 0f } }, floats);
        Assert.Equal(new[,] { { true, true }, { true, false } }, bools);
    }

    [Fact]
    public void FromStateDict_TypedArrayConversions_FollowNumpyAstype()
    {
        sbyte[] wrapped = Msgpack.FromStateDict(new sbyte[2], new StateValue(NdArray.Create<long>([300, -129])));
        int[] outOfRange = Msgpack.FromStateDict(new int[3], new StateValue(NdArray.Create<double>([double.NaN, 1e20, -1e20])));
        float[] fromBf16 = Msgpack.FromStateDict(new float[2], new StateValue(NdArray.Create<BFloat16>([(BFloat16)1.5f, (BFloat16)(-2f)])));
        double[] fromComplex = Msgpack.FromStateDict(new double[1], new StateValue(NdArray.Create<Complex>([new Complex(2.5, 9)])));
        Half[] fromUInt = Msgpack.FromStateDict(new Half[1], new StateValue(NdArray.Create<ulong>([3UL])));

        Assert.Equal([44, 127], wrapped.Select(v => (int)v));
        Assert.Equal([int.MinValue, int.MinValue, int.MinValue], outOfRange); // numpy 1.24 on x86-64
        Assert.Equal([1.5f, -2f], fromBf16);
        Assert.Equal([2.5], fromComplex);
        Assert.Equal([(Half)3], fromUInt);
    }

    [Fact]
    public void FromStateDict_ThreeDimensionalArray_KeepsShape()
    {
        var saved = new short[2, 1, 3] { { { 1, 2, 3 } }, { { 4, 5, 6 } } };

        short[,,] restored = Msgpack.FromStateDict(new short[2, 1, 3], Msgpack.ToStateDict(saved));

        Assert.Equal(saved, restored);
    }

    [Fact]
    public void FromStateDict_Tensor_ConvertsAndChecksShape()
    {
        Tensor<float> template = Tensor.Create<float>(new float[6], [2, 3]);
        NdArray saved = NdArray.Create<long>([1, 2, 3, 4, 5, 6], new Shape(2, 3));

        Tensor<float> restored = Msgpack.FromStateDict(template, new StateValue(saved));
        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(template, new StateValue(NdArray.Create<float>([1f]))));

        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], restored.ToArray());
        Assert.Equal([2, 3], restored.Lengths.ToArray());
        Assert.Equal("Array shape mismatch: expected (2, 3), got (1,) at path .", e.Message);
    }

    [Fact]
    public void FromStateDict_PythonNumbers_BecomeTemplateNumericTypes()
    {
        var template = new Dictionary<string, object>
        {
            ["i8"] = (sbyte)0, ["u16"] = (ushort)0, ["i128"] = Int128.Zero, ["big"] = BigInteger.Zero, ["half"] = Half.Zero,
            ["f"] = 0f, ["d"] = 0.0, ["m"] = 0m, ["c"] = Complex.Zero, ["u64"] = 0UL, ["nint"] = (nint)0, ["e"] = Activation.Relu,
        };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object>
        {
            ["i8"] = -5L, ["u16"] = 65535L, ["i128"] = ulong.MaxValue, ["big"] = 12L, ["half"] = 0.5, ["f"] = 2L, ["d"] = 0.25,
            ["m"] = 1.5, ["c"] = new Complex(1, 2), ["u64"] = ulong.MaxValue, ["nint"] = 42L, ["e"] = 1L,
        });

        Dictionary<string, object> restored = Msgpack.FromStateDict(template, state);

        Assert.Equal((sbyte)-5, restored["i8"]);
        Assert.Equal((ushort)65535, restored["u16"]);
        Assert.Equal((Int128)ulong.MaxValue, restored["i128"]);
        Assert.Equal(new BigInteger(12), restored["big"]);
        Assert.Equal((Half)0.5, restored["half"]);
        Assert.Equal(2f, restored["f"]);
        Assert.Equal(0.25, restored["d"]);
        Assert.Equal(1.5m, restored["m"]);
        Assert.Equal(new Complex(1, 2), restored["c"]);
        Assert.Equal(ulong.MaxValue, restored["u64"]);
        Assert.Equal((nint)42, restored["nint"]);
        Assert.Equal(Activation.Sigmoid, restored["e"]);
    }

    [Fact]
    public void FromStateDict_NumpyScalar_ConvertsByItsKind()
    {
        float f = Msgpack.FromStateDict(0f, new StateValue(NumpyScalar.Create(1.25f)));
        long l = Msgpack.FromStateDict(0L, new StateValue(NumpyScalar.Create(7)));

        Assert.Equal(1.25f, f);
        Assert.Equal(7L, l);
    }

    [Fact]
    public void FromStateDict_StringsBytesAndEnumNames_Restore()
    {
        Assert.Equal("abc", Msgpack.FromStateDict("", new StateValue("abc")));
        Assert.Equal([1, 2], Msgpack.FromStateDict(Array.Empty<byte>(), new StateValue(new byte[] { 1, 2 })));
        Assert.Equal(Activation.Sigmoid, Msgpack.FromStateDict(Activation.Relu, new StateValue("Sigmoid")));
    }

    [Fact]
    public void FromStateDict_PythonNone_FillsStringButNotNumber()
    {
        var target = new Dictionary<string, object?> { ["name"] = "x", ["count"] = 1 };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object?> { ["name"] = null, ["count"] = null });

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));
        Dictionary<string, object?> restored = Msgpack.FromStateDict(target, state, Mismatch.Ignore);

        Assert.Equal("Type mismatch: expected Int32, got None at path ./count", e.Message);
        Assert.Null(restored["name"]);
        Assert.Equal(1, restored["count"]);
    }

    [Fact]
    public void FromStateDict_NullTemplateValues_TakeDeclaredOrRawTypes()
    {
        var template = new Dictionary<string, object?> { ["raw"] = null, ["map"] = null };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["raw"] = 3L, ["map"] = new Dictionary<string, object> { ["k"] = 1L } });

        Dictionary<string, object?> restored = Msgpack.FromStateDict(template, state);
        float[]? array = Msgpack.FromStateDict<float[]?>(null, Msgpack.ToStateDict(new[] { 1.0, 2.0 }));

        Assert.Equal(3L, restored["raw"]);
        Assert.IsType<StateMap>(restored["map"]);
        Assert.Equal([1f, 2f], array!);
    }

    [Fact]
    public void FromStateDict_RawTreeTemplate_ChecksShapesAndKeys()
    {
        StateNode template = Msgpack.ToStateDict(new Dictionary<string, object> { ["w"] = new float[2], ["n"] = 0L });
        StateNode good = Msgpack.ToStateDict(new Dictionary<string, object> { ["w"] = new float[] { 1, 2 }, ["n"] = 5L });
        StateNode bad = Msgpack.ToStateDict(new Dictionary<string, object> { ["w"] = new float[3] });

        StateNode restored = Msgpack.FromStateDict(template, good);
        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(template, bad));

        TreeAssert.Equal(good, restored);
        Assert.Equal("The target dict keys and state dict keys do not match, target dict contains keys {'n'} which are not present in state dict at path .", e.Message);
    }

    [Fact]
    public void FromStateDict_UnsupportedCollection_ThrowsClearError()
    {
        var e = Assert.Throws<CheckpointException>(() => Msgpack.FromStateDict(new HashSet<int> { 1 }, new StateMap()));

        Assert.Contains("HashSet<Int32>", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TypedTemplate_ReturnsTemplateType()
    {
        using var dir = new TempDirectory();
        string path = dir.File("layer.msgpack");
        Msgpack.Save(path, new Layer(NdArray.Create<float>([1, 2, 3, 4], new Shape(2, 2)), [7f, 8f]));

        Layer loaded = Msgpack.Load(path, new Layer(NdArray.Zeros(DType.Float32, new Shape(2, 2)), new float[2]));
        object? untyped = Msgpack.Load(path, (object)new Layer(NdArray.Zeros(DType.Float32, new Shape(2, 2)), new float[2]));

        Assert.Equal([7f, 8f], loaded.Bias);
        Assert.Equal(loaded.Bias, Assert.IsType<Layer>(untyped).Bias);
    }

    [Fact]
    public void Load_MismatchWarn_SendsWarningsToOptionsWithFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.msgpack");
        Msgpack.Save(path, new Dictionary<string, object> { ["a"] = 1L });
        var warnings = new List<CheckpointWarning>();
        var options = MsgpackOptions.Default with { OnWarning = warnings.Add };

        Dictionary<string, long> loaded = Msgpack.Load(path, new Dictionary<string, long> { ["a"] = 0, ["b"] = 2 }, Mismatch.Warn, options: options);

        CheckpointWarning warning = Assert.Single(warnings);
        Assert.Equal(path, warning.FilePath);
        Assert.Equal(2, loaded["b"]);
        Assert.Equal(1, loaded["a"]);
    }
}
