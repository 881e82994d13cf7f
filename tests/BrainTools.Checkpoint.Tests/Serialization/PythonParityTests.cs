namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>Issue 12: cases where braintools and flax behave one way and we must too; the files are written by their code path (Data/make_python_parity.py).</summary>
public class PythonParityTests
{
    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "Serialization", "Data", name);

    /// <summary>optax's TraceState and field-less EmptyState.</summary>
    private sealed record TraceState(float[] Trace);

    private sealed record EmptyState;

    private readonly record struct EmptyStruct;

    private sealed record NT(long A, long B);

    private sealed record Params(float[] W);

    private sealed record Checkpoint(Params Params, NT Nt);

    /// <summary>A record whose own fields are the legacy form's names: a genuine NT(name, fields, values).</summary>
    private sealed record Envelope(string Name, long Fields, long Values);

    /// <summary>braintools' StrictNT: its constructor refuses what the restore hands it.</summary>
    private sealed class StrictNT
    {
        public StrictNT(long a, long b)
        {
            if (a > 5)
            {
                throw new ArgumentOutOfRangeException(nameof(a), "StrictNT does not accept a > 5");
            }

            A = a;
            B = b;
        }

        public long A { get; }

        public long B { get; }
    }

    [Fact]
    public void Serialize_FieldlessRecordInTuple_WritesBraintoolsBytes()
    {
        byte[] bytes = Msgpack.Serialize((new TraceState([0.5f, 1.5f]), new EmptyState()));

        Assert.Equal(File.ReadAllBytes(DataFile("empty_namedtuple.msgpack")), bytes);
    }

    [Fact]
    public void ToStateDict_FieldlessRecordStruct_IsEmptyMapAndRestores()
    {
        StateNode saved = Msgpack.ToStateDict(new EmptyStruct());

        Assert.Empty(saved.AsMap());
        Assert.Equal(new EmptyStruct(), Msgpack.FromStateDict(new EmptyStruct(), saved));
    }

    [Fact]
    public void Load_BraintoolsFieldlessRecord_RestoresIntoTheTuple()
    {
        (TraceState trace, EmptyState empty) = Msgpack.Load(DataFile("empty_namedtuple.msgpack"), (new TraceState(new float[2]), new EmptyState()));

        Assert.Equal([0.5f, 1.5f], trace.Trace);
        Assert.Equal(new EmptyState(), empty);
    }

    [Fact]
    public void Load_LegacyNamedtupleForm_RestoresIntoRecord()
    {
        Checkpoint loaded = Msgpack.Load(DataFile("legacy_namedtuple.msgpack"), new Checkpoint(new Params(new float[4]), new NT(0, 0)));

        Assert.Equal(new NT(10, 20), loaded.Nt);
        Assert.Equal([0f, 1f, 2f, 3f], loaded.Params.W);
        Assert.Empty(Msgpack.Reconcile(new Checkpoint(new Params(new float[4]), new NT(0, 0)), Msgpack.Load(DataFile("legacy_namedtuple.msgpack"))));
    }

    [Fact]
    public void FromStateDict_LegacyFormIntoRecordWithThoseFieldNames_RestoresFieldsAsTheyAre()
    {
        // braintools reinterprets the form only when the target's own fields are not exactly name, fields and values.
        var state = new StateMap { { "name", "NT" }, { "fields", 1L }, { "values", 2L } };

        Assert.Equal(new Envelope("NT", 1, 2), Msgpack.FromStateDict(new Envelope("", 0, 0), state));
    }

    [Fact]
    public void FromStateDict_ConstructorThrows_CheckpointExceptionNamesTypeAndPathWithInner()
    {
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["a"] = 10L, ["b"] = 20L });

        var root = Assert.Throws<CheckpointException>(() => Msgpack.FromStateDict(new StrictNT(1, 2), state));
        var nested = Assert.Throws<CheckpointException>(() => Msgpack.FromStateDict(new Dictionary<string, object> { ["opt"] = new StrictNT(1, 2) }, new StateMap { { "opt", state } }));

        Assert.Equal("Failed to reconstruct namedtuple StrictNT at path .: StrictNT does not accept a > 5 (Parameter 'a'). Ensure the namedtuple class definition is available.", root.Message);
        Assert.IsType<ArgumentOutOfRangeException>(root.InnerException);
        Assert.Equal(".", root.TreePath);
        Assert.StartsWith("Failed to reconstruct namedtuple StrictNT at path ./opt: ", nested.Message, StringComparison.Ordinal);
        Assert.Equal("./opt", nested.TreePath);
    }

    [Fact]
    public void ToStateDict_KeysWithTheSameStringForm_ReportsCollisionsAsBraintools()
    {
        var tree = new Dictionary<string, object> { ["layer"] = new Dictionary<object, int> { [1] = 1, ["1"] = 2, ["x"] = 3, [true] = 4, ["True"] = 5 } };

        var e = Assert.Throws<CheckpointException>(() => Msgpack.ToStateDict(tree));

        Assert.Equal("Dict keys do not have a unique string representation. Collisions: {'1': [1, '1'], 'True': [True, 'True']} at path ./layer", e.Message);
        Assert.Equal("./layer", e.TreePath);
    }

    [Fact]
    public void ToStateDict_KeyWhoseStringFormThrows_ReportsUnhashableKeysAsBraintools()
    {
        var e = Assert.Throws<CheckpointException>(() => Msgpack.ToStateDict(new Dictionary<object, int> { [new BadKey()] = 1 }));

        Assert.Equal("Dict contains unhashable keys: cannot stringify at path .", e.Message);
    }

    private sealed class BadKey
    {
        public override string ToString() => throw new InvalidOperationException("cannot stringify");
    }
}
