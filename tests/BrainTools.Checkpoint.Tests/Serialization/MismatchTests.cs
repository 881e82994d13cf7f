namespace BrainTools.Checkpoint.Tests.Serialization;

public class MismatchTests
{
    private static StateMap Map(params (string Key, object? Value)[] items)
    {
        var map = new StateMap();
        foreach ((string key, object? value) in items)
        {
            map.Add(key, value);
        }

        return map;
    }

    [Fact]
    public void FromStateDict_DictKeyMissing_ThrowsBraintoolsMessageAtRoot()
    {
        var target = new Dictionary<string, object> { ["layer1"] = 1L, ["layer3"] = 2L };

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, Map(("layer1", 5L))));

        Assert.Equal("The target dict keys and state dict keys do not match, target dict contains keys {'layer3'} which are not present in state dict at path .", e.Message);
        Assert.Equal(".", e.TreePath);
    }

    [Fact]
    public void FromStateDict_NestedListTooLong_ThrowsSizeMessageWithPath()
    {
        var target = new Dictionary<string, object> { ["a"] = new Dictionary<string, object> { ["b"] = new List<long> { 1, 2, 3 } } };
        StateMap state = Map(("a", Map(("b", Map(("0", 1L), ("1", 2L))))));

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));

        Assert.Equal("The size of the list and the state dict do not match, got 3 and 2 at path ./a/b", e.Message);
        Assert.Equal("./a/b", e.TreePath);
    }

    private sealed record Point(double X, double Y);

    [Fact]
    public void FromStateDict_RecordFieldsDiffer_ThrowsNamedTupleMessageWithPythonSets()
    {
        var target = new Dictionary<string, object> { ["p"] = new Point(1, 2) };

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, Map(("p", Map(("x", 3.0))))));

        Assert.Equal("The field names of the state dict and the named tuple do not match, got {'x'} and {'x', 'y'} at path ./p", e.Message);
    }

    [Fact]
    public void FromStateDict_ArrayShapeDiffers_ThrowsShapeMessage()
    {
        var target = new Dictionary<string, object> { ["a"] = new Dictionary<string, object> { ["w"] = NdArray.Zeros(DType.Float32, new Shape(2, 2)) } };
        StateMap state = Map(("a", Map(("w", NdArray.Zeros(DType.Float32, new Shape(3, 2))))));

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));

        Assert.Equal("Array shape mismatch: expected (2, 2), got (3, 2) at path ./a/w", e.Message);
    }

    [Fact]
    public void FromStateDict_TypedArrayShapeDiffers_ThrowsShapeMessage()
    {
        var target = new Dictionary<string, object> { ["bias"] = new float[3] };

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, Map(("bias", NdArray.Zeros(DType.Float32, new Shape(2))))));

        Assert.Equal("Array shape mismatch: expected (3,), got (2,) at path ./bias", e.Message);
    }

    [Fact]
    public void FromStateDict_ListMeetsNumber_ThrowsTypeMismatchNotCrash()
    {
        var target = new Dictionary<string, object> { ["xs"] = new List<double> { 1, 2 } };

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, Map(("xs", 5L))));

        Assert.Equal("Type mismatch: expected a list of 2 elements, got an int (5) at path ./xs", e.Message);
    }

    [Fact]
    public void FromStateDict_IntTemplateMeetsFloat_ThrowsTypeMismatch()
    {
        var target = new Dictionary<string, object> { ["step"] = 0 };

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, Map(("step", 0.5))));

        Assert.Equal("Type mismatch: expected Int32, got a float (0.5) at path ./step", e.Message);
    }

    [Fact]
    public void FromStateDict_IntOutOfRangeForByte_IsMismatch()
    {
        var target = new Dictionary<string, object> { ["b"] = (byte)1 };

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, Map(("b", 300L))));

        Assert.Equal("Type mismatch: expected Byte, got an int (300) at path ./b", e.Message);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("Error")]
    [InlineData("")]
    public void ParseMismatch_UnknownName_ThrowsBraintoolsMessage(string mode)
    {
        var e = Assert.Throws<ArgumentException>(() => Msgpack.ParseMismatch(mode));

        Assert.Equal($"Invalid mismatch mode: '{mode}'. Must be one of 'error', 'warn', or 'ignore'.", e.Message);
    }

    [Theory]
    [InlineData("error", Mismatch.Error)]
    [InlineData("warn", Mismatch.Warn)]
    [InlineData("ignore", Mismatch.Ignore)]
    public void ParseMismatch_BraintoolsName_GivesMode(string mode, Mismatch expected)
    {
        Assert.Equal(expected, Msgpack.ParseMismatch(mode));
    }

    [Fact]
    public void FromStateDict_UndefinedMode_Throws()
    {
        Assert.Throws<ArgumentException>(() => Msgpack.FromStateDict(1L, new StateValue(2L), (Mismatch)7));
    }

    [Fact]
    public void FromStateDict_WarnOnEveryKind_WarnsEachAndKeepsTargetValues()
    {
        var weights = NdArray.Zeros(DType.Float32, new Shape(2, 2));
        var list = new List<long> { 7, 8, 9 };
        var point = new Point(1, 2);
        var target = new Dictionary<string, object>
        {
            ["w"] = weights,
            ["xs"] = list,
            ["p"] = point,
            ["n"] = 4,
            ["new"] = "kept",
        };
        StateMap state = Map(
            ("w", NdArray.Zeros(DType.Float32, new Shape(3, 2))),
            ("xs", Map(("0", 1L), ("1", 2L))),
            ("p", Map(("x", 5.0))),
            ("n", "four"));
        var log = new WarningLog();

        var loaded = Msgpack.FromStateDict(target, state, Mismatch.Warn, log.Options);

        Assert.Equal(
            [
                "The target dict keys and state dict keys do not match, target dict contains keys {'new'} which are not present in state dict at path .",
                "Array shape mismatch: expected (2, 2), got (3, 2) at path ./w",
                "The size of the list and the state dict do not match, got 3 and 2 at path ./xs",
                "The field names of the state dict and the named tuple do not match, got {'x'} and {'x', 'y'} at path ./p",
                "Type mismatch: expected Int32, got a string ('four') at path ./n",
            ],
            log.Messages);
        Assert.Same(weights, loaded["w"]);
        Assert.Equal([1L, 2L, 9L], (List<long>)loaded["xs"]);
        Assert.Equal(new Point(5, 2), loaded["p"]);
        Assert.Equal(4, loaded["n"]);
        Assert.Equal("kept", loaded["new"]);
    }

    [Fact]
    public void FromStateDict_Ignore_KeepsTargetValuesSilently()
    {
        var target = new Dictionary<string, object> { ["a"] = 1L, ["b"] = new float[2] };
        var log = new WarningLog();

        var loaded = Msgpack.FromStateDict(target, Map(("a", 5L), ("b", NdArray.Zeros(DType.Float32, new Shape(3)))), Mismatch.Ignore, log.Options);

        Assert.Empty(log.Messages);
        Assert.Equal(5L, loaded["a"]);
        Assert.Same(target["b"], loaded["b"]);
    }

    [Fact]
    public void FromStateDict_ExtraStateKeys_AreIgnoredForDicts()
    {
        var target = new Dictionary<string, object> { ["a"] = 1L };

        var loaded = Msgpack.FromStateDict(target, Map(("a", 5L), ("extra", 6L)));

        Assert.Equal(new Dictionary<string, object> { ["a"] = 5L }, loaded);
    }

    [Fact]
    public void Warn_WithoutOptions_RaisesGlobalEventOnlyForThatCall()
    {
        // A unique key tells this call's warning apart from those of tests running in parallel.
        string key = "missing_" + Guid.NewGuid().ToString("N");
        var seen = new List<CheckpointWarning>();
        EventHandler<CheckpointWarning> handler = (_, w) => { lock (seen) { seen.Add(w); } };
        Msgpack.Warning += handler;
        try
        {
            Msgpack.FromStateDict(new Dictionary<string, object> { [key] = 1L }, new StateMap(), Mismatch.Warn);
        }
        finally
        {
            Msgpack.Warning -= handler;
        }

        CheckpointWarning warning;
        lock (seen)
        {
            warning = Assert.Single(seen, w => w.Message.Contains(key, StringComparison.Ordinal));
        }

        Assert.Equal(".", warning.TreePath);
    }
}
