using System.Numerics;

namespace BrainTools.Checkpoint.Tests.Tree;

/// <summary>The raw tree a load returns: indexers, casts, <see cref="StateNode.GetValue{T}"/> and Python's printed form.</summary>
public class StateNodeTests
{
    private static StateNode Loaded() => Msgpack.Deserialize(Msgpack.Serialize(new Dictionary<string, object?>
    {
        ["weights"] = new float[,] { { 1, 2 }, { 3, 4 } },
        ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.001, ["batch_size"] = 32 },
        ["layers"] = new object[] { "relu", 2.5 },
        ["big"] = ulong.MaxValue,
        ["neg"] = -5L,
        ["z"] = new Complex(1.5, -2.25),
        ["flag"] = true,
        ["name"] = "mlp",
        ["none"] = null,
        ["f32"] = NumpyScalar.Create(0.5f),
        ["i8"] = NumpyScalar.Create((sbyte)-3),
    }));

    [Fact]
    public void Indexer_ByKeyAndListIndex_ReachesChildren()
    {
        StateNode tree = Loaded();

        Assert.Equal(32L, (long)tree["config"]["batch_size"]);
        Assert.Equal("relu", (string?)tree["layers"][0]);
        Assert.Equal(2.5, (double)tree["layers"][1]);
        Assert.Equal(new Shape(2, 2), tree["weights"].AsArray().Shape);
        Assert.Equal(DType.Float32, ((NdArray)tree["weights"]).DType);
    }

    [Fact]
    public void Indexer_MissingKey_ThrowsListingKeys()
    {
        StateNode tree = Loaded();

        KeyNotFoundException e = Assert.Throws<KeyNotFoundException>(() => tree["config"]["momentum"]);

        Assert.Equal("Key 'momentum' is not in the map; its keys are {'learning_rate', 'batch_size'}.", e.Message);
    }

    [Fact]
    public void Indexer_OnLeaf_ThrowsInvalidOperation()
    {
        StateNode tree = Loaded();

        Assert.Throws<InvalidOperationException>(() => tree["neg"]["x"]);
        Assert.Throws<InvalidOperationException>(() => tree["neg"].AsMap());
        Assert.Throws<InvalidOperationException>(() => tree["config"].AsArray());
    }

    [Fact]
    public void ExplicitCasts_ReadLeaves()
    {
        StateNode tree = Loaded();

        Assert.Equal(-5L, (long)tree["neg"]);
        Assert.Equal(-5, (int)tree["neg"]);
        Assert.Equal(ulong.MaxValue, (ulong)tree["big"]);
        Assert.Equal(0.001, (double)tree["config"]["learning_rate"]);
        Assert.Equal(0.001f, (float)tree["config"]["learning_rate"]);
        Assert.Equal(32.0, (double)tree["config"]["batch_size"]);
        Assert.True((bool)tree["flag"]);
        Assert.Equal("mlp", (string?)tree["name"]);
        Assert.Null((string?)tree["none"]);
        Assert.Equal(new Complex(1.5, -2.25), (Complex)tree["z"]);
    }

    [Fact]
    public void GetValue_IntToAnyNumericTypeThatHoldsIt_Converts()
    {
        StateNode tree = Loaded();
        StateNode batch = tree["config"]["batch_size"];

        Assert.Equal((byte)32, batch.GetValue<byte>());
        Assert.Equal((short)32, batch.GetValue<short>());
        Assert.Equal(32u, batch.GetValue<uint>());
        Assert.Equal((Half)32, batch.GetValue<Half>());
        Assert.Equal(32m, batch.GetValue<decimal>());
        Assert.Equal(new Complex(32, 0), batch.GetValue<Complex>());
        Assert.Equal((Int128)ulong.MaxValue, tree["big"].GetValue<Int128>());
        Assert.Equal(new BigInteger(ulong.MaxValue), tree["big"].GetValue<BigInteger>());
    }

    [Fact]
    public void GetValue_OutOfRange_ThrowsInvalidCast()
    {
        StateNode tree = Loaded();

        InvalidCastException e = Assert.Throws<InvalidCastException>(() => tree["neg"].GetValue<ulong>());
        Assert.Contains("an int (-5)", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCastException>(() => tree["big"].GetValue<long>());
        Assert.Throws<InvalidCastException>(() => (long)tree["big"]);
        Assert.Throws<InvalidCastException>(() => tree["neg"].GetValue<byte>());
        Assert.Throws<InvalidCastException>(() => new StateValue(300).GetValue<sbyte>());
    }

    [Fact]
    public void GetValue_FloatToInteger_ThrowsInvalidCast()
    {
        StateNode tree = Loaded();

        Assert.Throws<InvalidCastException>(() => (int)tree["layers"][1]);
        Assert.Throws<InvalidCastException>(() => (long)tree["config"]["learning_rate"]);
    }

    [Fact]
    public void GetValue_WrongKind_ThrowsInvalidCast()
    {
        StateNode tree = Loaded();

        Assert.Throws<InvalidCastException>(() => (int)tree["flag"]);
        Assert.Throws<InvalidCastException>(() => (double)tree["name"]);
        Assert.Throws<InvalidCastException>(() => (bool)tree["neg"]);
        Assert.Throws<InvalidCastException>(() => tree["z"].GetValue<double>());
        Assert.Throws<InvalidCastException>(() => tree["config"].GetValue<NdArray>());
    }

    [Fact]
    public void GetValue_NumpyScalar_ConvertsLikeItsValue()
    {
        StateNode tree = Loaded();

        Assert.Equal(0.5f, (float)tree["f32"]);
        Assert.Equal(0.5, (double)tree["f32"]);
        Assert.Equal(0.5f, tree["f32"].GetValue<NumpyScalar>().GetValue<float>());
        Assert.Equal((sbyte)-3, tree["i8"].GetValue<sbyte>());
        Assert.Equal(-3L, (long)tree["i8"]);
        Assert.Throws<InvalidCastException>(() => (int)tree["f32"]);
        Assert.Throws<InvalidCastException>(() => tree["i8"].GetValue<byte>());
    }

    [Fact]
    public void ToString_Map_PrintsPythonDict()
    {
        StateNode tree = Loaded();

        Assert.Equal("{'learning_rate': 0.001, 'batch_size': 32}", tree["config"].ToString());
        Assert.Equal("{'0': 'relu', '1': 2.5}", tree["layers"].ToString());
        Assert.Equal(
            "{'weights': array([[1.0, 2.0], [3.0, 4.0]], dtype=float32), 'config': {'learning_rate': 0.001, 'batch_size': 32}, "
            + "'layers': {'0': 'relu', '1': 2.5}, 'big': 18446744073709551615, 'neg': -5, 'z': (1.5-2.25j), 'flag': True, "
            + "'name': 'mlp', 'none': None, 'f32': 0.5, 'i8': -3}",
            tree.ToString());
    }

    [Theory]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.0, "1.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.NaN, "nan")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    public void ToString_Float_PrintsPythonRepr(double value, string python)
    {
        Assert.Equal(python, new StateValue(value).ToString());
    }

    [Theory]
    [InlineData(1.5, -2.25, "(1.5-2.25j)")]
    [InlineData(0.0, 2.0, "2j")]
    [InlineData(-0.0, 2.0, "(-0+2j)")]
    [InlineData(1.0, 0.0, "(1+0j)")]
    [InlineData(1e-05, double.PositiveInfinity, "(1e-05+infj)")]
    [InlineData(double.NaN, double.NaN, "(nan+nanj)")]
    public void ToString_Complex_PrintsPythonRepr(double real, double imaginary, string python)
    {
        Assert.Equal(python, new StateValue(new Complex(real, imaginary)).ToString());
    }

    [Theory]
    [InlineData("relu", "'relu'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("a\nb", "'a\\nb'")]
    [InlineData("", "''")]
    public void ToString_String_PrintsPythonRepr(string value, string python)
    {
        Assert.Equal(python, new StateValue(value).ToString());
    }

    [Fact]
    public void ToString_OtherLeaves_PrintPythonRepr()
    {
        Assert.Equal("None", StateValue.Null.ToString());
        Assert.Equal("False", new StateValue(false).ToString());
        Assert.Equal("b'ab\\x00'", new StateValue(new byte[] { 0x61, 0x62, 0 }).ToString());
        Assert.Equal("ExtType(code=9, data=b'\\x01')", new StateValue(new ExtensionValue(9, new byte[] { 1 })).ToString());
        Assert.Equal("{}", new StateMap().ToString());
    }

    [Fact]
    public void Map_KeepsInsertionOrderAndSetKeepsPlace()
    {
        var map = new StateMap { { "b", 1L }, { "a", 2L } };

        map.Set("b", 3L).Set("c", 4L);

        Assert.Equal(["b", "a", "c"], map.Keys);
        Assert.Equal("{'b': 3, 'a': 2, 'c': 4}", map.ToString());
        Assert.Throws<ArgumentException>(() => map.Add("a", 5L));
    }

    [Fact]
    public void DeepEquals_ComparesKindsOrderAndFloatBits()
    {
        StateNode a = Loaded();

        Assert.True(a.DeepEquals(Loaded()));
        Assert.True(a.DeepEquals(a.Clone()));
        Assert.False(new StateValue(1L).DeepEquals(new StateValue(1.0)));
        Assert.False(new StateValue(0.0).DeepEquals(new StateValue(-0.0)));
        Assert.True(new StateValue(double.NaN).DeepEquals(new StateValue(double.NaN)));
        Assert.False(new StateMap { { "a", 1L }, { "b", 2L } }.DeepEquals(new StateMap { { "b", 2L }, { "a", 1L } }));
    }

    [Fact]
    public void StateValue_UnsupportedValue_Throws()
    {
        Assert.Throws<ArgumentException>(() => new StateValue(new object()));
        Assert.Throws<ArgumentException>(() => new StateValue(new StateMap()));
    }
}
