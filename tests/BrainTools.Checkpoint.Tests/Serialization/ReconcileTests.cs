namespace BrainTools.Checkpoint.Tests.Serialization;

public class ReconcileTests
{
    private static StateNode Tree(object value) => Msgpack.ToStateDict(value);

    [Fact]
    public void Reconcile_MatchingState_IsEmpty()
    {
        var template = new Dictionary<string, object> { ["w"] = new float[2, 2], ["step"] = 0.0 };

        Assert.Empty(Msgpack.Reconcile(template, Tree(new Dictionary<string, object> { ["w"] = new float[2, 2], ["step"] = 5L })));
    }

    [Fact]
    public void Reconcile_EveryKind_ReportsAllAtOnceInTreeOrder()
    {
        var template = new Dictionary<string, object>
        {
            ["layer1"] = new Dictionary<string, object> { ["w"] = new float[2, 2], ["b"] = new float[2] },
            ["layer3"] = new float[1],
            ["step"] = 0,
            ["name"] = "",
        };
        StateNode state = Tree(new Dictionary<string, object>
        {
            ["layer1"] = new Dictionary<string, object> { ["w"] = new double[3, 2], ["b"] = new float[2] },
            ["step"] = 0.5,
            ["name"] = new Dictionary<string, object>(),
            ["extra"] = 1L,
        });

        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(template, state);

        Assert.Equal(
            [
                new CheckpointDifference("./layer1/w", CheckpointDifferenceKind.Shape, "(2, 2)", "(3, 2)"),
                new CheckpointDifference("./layer1/w", CheckpointDifferenceKind.DType, "float32", "float64"),
                new CheckpointDifference("./layer3", CheckpointDifferenceKind.Missing, "an ndarray (float32, shape (1,))", "nothing"),
                new CheckpointDifference("./step", CheckpointDifferenceKind.Type, "an int (0)", "a float (0.5)"),
                new CheckpointDifference("./name", CheckpointDifferenceKind.Type, "a string ('')", "a map of 0 keys"),
                new CheckpointDifference("./extra", CheckpointDifferenceKind.Unexpected, "nothing", "an int (1)"),
            ],
            differences);
    }

    [Fact]
    public void Reconcile_TwoRawTrees_Compares()
    {
        StateNode like = Tree(new Dictionary<string, object> { ["a"] = new Dictionary<string, object> { ["x"] = 1L } });
        StateNode file = Tree(new Dictionary<string, object> { ["a"] = 2L });

        CheckpointDifference difference = Assert.Single(Msgpack.Reconcile(like, file));

        Assert.Equal("./a: type: expected a map of 1 key, got an int (2)", difference.ToString());
    }

    [Fact]
    public void Reconcile_RawQuantityMaps_ReportsUnitsByName()
    {
        static Dictionary<string, object> Quantity(long scale, long[] dim) => new()
        {
            ["mantissa"] = 10.0,
            ["scale"] = scale,
            ["base"] = 10.0,
            ["dim"] = dim,
            ["factor"] = 1.0,
        };
        // Raw trees, as `ckpt check` compares two files: their quantity maps are compared by unit, as the restore into a raw tree does.
        StateNode target = Tree(new Dictionary<string, object> { ["q"] = Quantity(-3, [0, 0, 1, 0, 0, 0, 0]) });
        StateNode state = Tree(new Dictionary<string, object> { ["q"] = Quantity(0, [0, 0, 1, 0, 0, 0, 0]) });
        StateNode volts = Tree(new Dictionary<string, object> { ["q"] = Quantity(-3, [2, 1, -3, -1, 0, 0, 0]) });

        CheckpointDifference seconds = Assert.Single(Msgpack.Reconcile(target, state));
        CheckpointDifference millivolts = Assert.Single(Msgpack.Reconcile(target, volts));

        Assert.Equal(new CheckpointDifference("./q", CheckpointDifferenceKind.Unit, "ms", "s"), seconds);
        Assert.Equal("mV", millivolts.Actual);
    }

    [Fact]
    public void Reconcile_SameUnitInOlderBrainunitForm_IsEmpty()
    {
        // brainunit before factors wrote no factor and a float64 dim; the restore reads both, so they are no difference.
        var target = new Dictionary<string, object> { ["q"] = 10.0 * Units.ms };
        StateNode state = Tree(new Dictionary<string, object>
        {
            ["q"] = new Dictionary<string, object> { ["mantissa"] = 20.0, ["scale"] = -3L, ["base"] = 10.0, ["dim"] = new double[] { 0, 0, 1, 0, 0, 0, 0 } },
        });

        Assert.Empty(Msgpack.Reconcile(target, state));
    }

    [Fact]
    public void Reconcile_QuantitiesOfOneUnit_ComparesTheMantissas()
    {
        var target = new Dictionary<string, object> { ["q"] = NdArray.Zeros(DType.Float32, new Shape(4)) * Units.mV };
        StateNode state = Tree(new Dictionary<string, object> { ["q"] = NdArray.Zeros(DType.Float64, new Shape(3)) * Units.mV });

        Assert.Equal(
            [
                new CheckpointDifference("./q/mantissa", CheckpointDifferenceKind.Shape, "(4,)", "(3,)"),
                new CheckpointDifference("./q/mantissa", CheckpointDifferenceKind.DType, "float32", "float64"),
            ],
            Msgpack.Reconcile(target, state));
    }

    [Fact]
    public void Reconcile_NullInTemplate_AcceptsAnything()
    {
        var template = new Dictionary<string, object?> { ["anything"] = null };

        Assert.Empty(Msgpack.Reconcile(template, Tree(new Dictionary<string, object> { ["anything"] = new float[3] })));
    }
}
