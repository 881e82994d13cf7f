using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Quantities;

public class QuantityStateDictTests
{
    private static string PhysicsFile => Manifest.All["seed_physics"].FilePath;

    public static TheoryData<string, double, Unit, string> PhysicsScalars() => new()
    {
        { "time_constant", 10.0, Units.ms, "10 ms" },
        { "resistance", 100.0, Units.mohm, "100 mohm" },
        { "capacitance", 200.0, Units.pF, "200 pF" },
        { "voltage_threshold", -50.0, Units.mV, "-50 mV" },
    };

    [Theory]
    [MemberData(nameof(PhysicsScalars))]
    public void FromStateDict_SeedPhysics_GivesTutorialQuantities(string key, double mantissa, Unit unit, string display)
    {
        StateNode raw = Msgpack.Load(PhysicsFile);

        Quantity q = Quantity.FromStateDict(raw[key], "./" + key);

        Assert.Equal(mantissa, q.Mantissa);
        Assert.Equal(unit, q.Unit);
        Assert.Same(unit, q.Unit);
        Assert.Equal(display, q.ToString());
        Assert.Equal(mantissa * unit, q);
    }

    [Fact]
    public void FromStateDict_SeedPhysicsTrace_GivesFloat32ArrayInMillivolts()
    {
        StateNode raw = Msgpack.Load(PhysicsFile);

        Quantity trace = Quantity.FromStateDict(raw["trace"], "./trace");

        Assert.False(trace.IsScalar);
        Assert.Same(Units.mV, trace.Unit);
        Assert.Equal(DType.Float32, trace.MantissaArray!.DType);
        Assert.Equal(new Shape(4), trace.Shape);
        Assert.Equal((NdArray)raw["trace"]["mantissa"], trace.MantissaArray);
    }

    [Fact]
    public void To_LoadedTraceArray_ConvertsTheFileMemory()
    {
        StateNode raw = Msgpack.Load(PhysicsFile);
        Quantity trace = Quantity.FromStateDict(raw["trace"], "./trace");
        float[] millivolts = trace.MantissaArray!.ToArray<float>();

        Quantity volts = trace.To(Units.V);

        Assert.Same(Units.V, volts.Unit);
        Assert.Equal(millivolts.Select(v => v * 0.001f).ToArray(), volts.MantissaArray!.ToArray<float>());
    }

    [Fact]
    public void ToStateDict_TutorialPhysicsModel_SerializesToSeedPhysicsBytes()
    {
        // The trace's float32 values come from the manifest; everything else is the tutorial's physics_model.
        var manifestTree = (StateMap)Manifest.Build(Manifest.All["seed_physics"].Tree);
        NdArray traceValues = (NdArray)manifestTree["trace"]["mantissa"];
        var physicsModel = new StateMap
        {
            { "time_constant", (10.0 * Units.ms).ToStateDict() },
            { "resistance", (100.0 * Units.mohm).ToStateDict() },
            { "capacitance", (200.0 * Units.pF).ToStateDict() },
            { "voltage_threshold", (-50.0 * Units.mV).ToStateDict() },
            { "trace", (traceValues * Units.mV).ToStateDict() },
        };

        byte[] bytes = Msgpack.Serialize(physicsModel);

        Assert.Equal(File.ReadAllBytes(PhysicsFile), bytes);
    }

    [Fact]
    public void ToStateDict_Quantity_HasBrainunitKeysAndTypes()
    {
        StateMap state = (-50.0 * Units.mV).ToStateDict();

        Assert.Equal(["mantissa", "scale", "base", "dim", "factor"], state.Keys);
        Assert.Equal(StateNodeKind.Float, state["mantissa"].Kind);
        Assert.Equal(StateNodeKind.Int, state["scale"].Kind);
        Assert.Equal(-3L, (long)state["scale"]);
        Assert.Equal(10.0, (double)state["base"]);
        Assert.Equal(DType.Int64, state["dim"].AsArray().DType);
        Assert.Equal([2L, 1, -3, -1, 0, 0, 0], state["dim"].AsArray().ToArray<long>());
        Assert.Equal(1.0, (double)state["factor"]);
    }

    public static TheoryData<Quantity> RoundTripQuantities() => new()
    {
        10.0 * Units.ms,
        2.5 * Units.minute,
        -0.0 * Units.nA,
        new Quantity(3.0, new Unit(new Dimension(second: -0.5, metre: 1), -2)),
        new Quantity(1.5, new Unit(new Dimension(kelvin: 2), 4, factor: 1.8)),
        NdArray.Create<float>([1f, -2f, 3.5f]) * Units.mV,
        NdArray.FromArray(new double[,] { { 1, 2 }, { 3, 4 } }) * Units.nS,
    };

    [Theory]
    [MemberData(nameof(RoundTripQuantities))]
    public void FromStateDict_OwnStateDictThroughFile_RestoresEqualQuantity(Quantity original)
    {
        using var dir = new TempDirectory();
        string path = dir.File("q.msgpack");
        Msgpack.Save(path, new StateMap { { "q", original.ToStateDict() } });

        Quantity restored = Quantity.FromStateDict(Msgpack.Load(path)["q"], "./q");

        Assert.Equal(original, restored);
        Assert.Equal(original.ToString(), restored.ToString());
    }

    [Fact]
    public void FromStateDict_Float64Dim_ReadsAsOlderBrainunitWroteIt()
    {
        StateMap state = (10.0 * Units.ms).ToStateDict();
        state.Set("dim", NdArray.Create<double>([0, 0, 1, 0, 0, 0, 0]));

        Quantity q = Quantity.FromStateDict(state);

        Assert.Same(Units.ms, q.Unit);
        Assert.Equal("10 ms", q.ToString());
    }

    [Fact]
    public void FromStateDict_PythonIntMantissaAndIntBase_ReadAsNumbers()
    {
        StateMap state = (10.0 * Units.ms).ToStateDict();
        state.Set("mantissa", 10L);
        state.Set("base", 10L);

        Assert.Equal(10.0 * Units.ms, Quantity.FromStateDict(state));
    }

    [Fact]
    public void FromStateDict_NumpyScalarMantissa_GivesZeroDimensionalArray()
    {
        StateMap state = (10.0 * Units.ms).ToStateDict();
        state.Set("mantissa", new StateValue(NumpyScalar.Create(2.5f)));

        Quantity q = Quantity.FromStateDict(state);

        Assert.Equal(Shape.Scalar, q.Shape);
        Assert.Equal(DType.Float32, q.MantissaArray!.DType);
        Assert.Equal(2.5f, q.MantissaArray.GetFlat<float>(0));
    }

    [Fact]
    public void FromStateDict_NoFactor_MeansFactorOne()
    {
        StateMap state = (10.0 * Units.ms).ToStateDict();
        state.Remove("factor");

        Assert.Equal(10.0 * Units.ms, Quantity.FromStateDict(state));
    }

    [Fact]
    public void FromStateDict_UnknownUnit_IsUnnamedAndDisplaysItsParts()
    {
        StateMap state = (1.0 * Units.ms).ToStateDict();
        state.Set("scale", -4L);

        Quantity q = Quantity.FromStateDict(state);

        Assert.False(q.Unit.IsNamed);
        Assert.Equal("1 10.0^-4 * s", q.ToString());
    }

    public static TheoryData<string, StateNode?, string, string> MalformedEntries() => new()
    {
        { "scale", null, "./q", "a quantity needs the key 'scale'; the map has {'mantissa', 'base', 'dim', 'factor'}" },
        { "mantissa", null, "./q", "a quantity needs the key 'mantissa'; the map has {'scale', 'base', 'dim', 'factor'}" },
        { "mantissa", true, "./q/mantissa", "the mantissa of a quantity is a real number or array, found a bool (True)" },
        { "dim", NdArray.Create<long>([0, 0, 1]), "./q/dim", "a dimension is an array of shape (7,), got shape (3,)" },
        { "dim", "s", "./q/dim", "the dim of a unit is an array of the 7 SI exponents, found a string ('s')" },
        { "dim", NdArray.Create<bool>([false, false, true, false, false, false, false]), "./q/dim", "a dimension holds integers or floats, got bool" },
        { "scale", 1.5, "./q/scale", "the scale of a unit is an integer power of the base, found a float (1.5)" },
        { "scale", 1L << 40, "./q/scale", "the scale of a unit is an integer power of the base, found an int (1099511627776)" },
        { "base", "ten", "./q/base", "the base of a unit is a number, found a string ('ten')" },
        { "base", 0.0, "./q/base", "the base of a unit must be a finite positive number, got 0.0" },
        { "factor", -1.0, "./q/factor", "the factor of a unit must be a finite positive number, got -1.0" },
        { "mantissa", "10 ms", "./q/mantissa", "the mantissa of a quantity is a real number or array, found a string ('10 ms')" },
        { "mantissa", new StateMap(), "./q/mantissa", "the mantissa of a quantity is a real number or array, found a map of 0 keys" },
    };

    [Theory]
    [MemberData(nameof(MalformedEntries))]
    public void FromStateDict_MalformedEntry_ThrowsInvalidCheckpointWithPath(string key, StateNode? value, string path, string reason)
    {
        StateMap state = (10.0 * Units.ms).ToStateDict();
        if (value is null)
        {
            state.Remove(key);
        }
        else
        {
            state.Set(key, value);
        }

        var error = Assert.Throws<InvalidCheckpointException>(() => Quantity.FromStateDict(state, "./q"));

        Assert.Equal(path, error.TreePath);
        Assert.Equal(reason, error.Reason);
        Assert.Equal($"Invalid checkpoint: {reason} at path {path}", error.Message);
    }

    [Fact]
    public void FromStateDict_NotAMap_ThrowsInvalidCheckpointWithPath()
    {
        var error = Assert.Throws<InvalidCheckpointException>(() => Quantity.FromStateDict(new StateValue(10.0), "./model/tau"));

        Assert.Equal("./model/tau", error.TreePath);
        Assert.Equal("Invalid checkpoint: a quantity is saved as a map of mantissa, scale, base, dim and factor, found a float (10.0) at path ./model/tau", error.Message);
    }

    [Fact]
    public void ReadUnit_SeedPhysics_ReadsUnitsWithoutMantissas()
    {
        StateNode raw = Msgpack.Load(PhysicsFile);

        Assert.Same(Units.pF, Quantity.ReadUnit(raw["capacitance"], "./capacitance"));
        Assert.Same(Units.mV, Quantity.ReadUnit(raw["trace"], "./trace"));
        Assert.Throws<InvalidCheckpointException>(() => Quantity.ReadUnit(raw["trace"]["scale"], "./trace/scale"));
    }

    [Fact]
    public void FromStateDict_SecondIntoMillisecondTemplate_ThrowsBraintoolsMessage()
    {
        var target = new Dictionary<string, object> { ["q"] = 10.0 * Units.ms };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["q"] = 10.0 * Units.s });

        CheckpointMismatchException e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));

        Assert.Equal("Unit mismatch: expected ms, got s at path ./q", e.Message);
    }

    [Theory]
    [InlineData(Mismatch.Warn)]
    [InlineData(Mismatch.Ignore)]
    public void FromStateDict_UnitMismatchUnderWarnOrIgnore_KeepsLoadedQuantity(Mismatch mismatch)
    {
        var warnings = new List<CheckpointWarning>();
        var options = MsgpackOptions.Default with { OnWarning = warnings.Add };
        var target = new Dictionary<string, object> { ["q"] = 10.0 * Units.ms };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["q"] = 2.0 * Units.s });

        var restored = Msgpack.FromStateDict(target, state, mismatch, options);

        Assert.Equal(2.0 * Units.s, restored["q"]);
        Assert.Equal(mismatch == Mismatch.Warn ? ["Unit mismatch: expected ms, got s at path ./q"] : [], warnings.Select(w => w.Message));
    }

    [Fact]
    public void FromStateDict_SameUnit_RestoresMantissa()
    {
        var target = new Dictionary<string, object> { ["tau"] = 0.0 * Units.ms };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["tau"] = 10.0 * Units.ms });

        var restored = Msgpack.FromStateDict(target, state);

        Assert.Equal(10.0 * Units.ms, restored["tau"]);
        Assert.Equal("10 ms", restored["tau"].ToString());
    }

    [Fact]
    public void Reconcile_DifferentUnits_ReportsUnitsByName()
    {
        StateNode target = Msgpack.ToStateDict(new Dictionary<string, object> { ["q"] = 1.0 * Units.ms });
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["q"] = 1.0 * Units.mV });

        CheckpointDifference difference = Assert.Single(Msgpack.Reconcile(target, state), d => d.Kind == CheckpointDifferenceKind.Unit);

        Assert.Equal(("./q", "ms", "mV"), (difference.Path, difference.Expected, difference.Actual));
    }

    [Fact]
    public void TryFromStateDict_QuantityAndOtherMaps_TellsThemApart()
    {
        StateMap saved = (10.0 * Units.ms).ToStateDict();
        StateMap withExtraKey = (10.0 * Units.ms).ToStateDict().Set("note", "x");
        StateMap olderForm = (10.0 * Units.ms).ToStateDict();
        olderForm.Remove("factor");
        StateMap broken = (10.0 * Units.ms).ToStateDict().Set("scale", "minus three");

        Assert.True(Quantity.TryFromStateDict(saved, out Quantity? quantity));
        Assert.Equal(10.0 * Units.ms, quantity);
        Assert.True(Quantity.TryFromStateDict(olderForm, out Quantity? older));
        Assert.Equal(Units.ms, older.Unit);
        Assert.False(Quantity.TryFromStateDict(withExtraKey, out _));
        Assert.False(Quantity.TryFromStateDict(broken, out _));
        Assert.False(Quantity.TryFromStateDict(new StateValue(10.0), out _));
    }
}
