using System.Numerics;
using System.Numerics.Tensors;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>
/// Save, restore and Reconcile go through one converter per type, so they cannot disagree: every built-in type
/// and registered handlers survive a trip through the file, and Reconcile finds a mismatch exactly where the
/// restore throws.
/// </summary>
public class ConverterAgreementTests
{
    public enum Color
    {
        Red,
        Green,
        Blue,
    }

    public enum Weekday : byte
    {
        Monday = 1,
        Friday = 5,
    }

    public sealed record Point(double X, double Y);

    public readonly record struct Pair(int Left, long Right);

    public sealed record Empty;

    public sealed class Plain
    {
        public int Count { get; set; }

        public string Name { get; set; } = "";
    }

    public sealed class Counter : Module
    {
        public ParamState<float[]> Weight { get; } = new(new float[3]);

        public State<long> Steps { get; } = new(0);
    }

    /// <summary>A value of every built-in kind, and an empty template of the same type to restore it into.</summary>
    public static TheoryData<string, object, object> BuiltIns() => new()
    {
        { "bool", true, false },
        { "sbyte", (sbyte)-5, (sbyte)0 },
        { "byte", (byte)250, (byte)0 },
        { "short", (short)-300, (short)0 },
        { "ushort", (ushort)60000, (ushort)0 },
        { "int", -70000, 0 },
        { "uint", 4000000000u, 0u },
        { "long", long.MinValue, 0L },
        { "ulong", ulong.MaxValue, 0UL },
        { "nint", (nint)(-12), (nint)0 },
        { "nuint", (nuint)12, (nuint)0 },
        { "Int128", (Int128)long.MinValue, Int128.Zero },
        { "UInt128", (UInt128)ulong.MaxValue, UInt128.Zero },
        { "BigInteger", new BigInteger(-42), BigInteger.Zero },
        { "char", 'q', 'a' },
        { "Half", (Half)1.5, Half.Zero },
        { "float", 0.25f, 0f },
        { "double", 0.1, 0.0 },
        { "decimal", 2.5m, 0m },
        { "Complex", new Complex(1, -2), Complex.Zero },
        { "Complex64", new Complex64(1, -2), default(Complex64) },
        { "BFloat16", (BFloat16)2f, default(BFloat16) },
        { "Float8E4M3FN", (Float8E4M3FN)2f, default(Float8E4M3FN) },
        { "Float8E5M2", (Float8E5M2)2f, default(Float8E5M2) },
        { "string", "relu", "" },
        { "bytes", new byte[] { 1, 2 }, Array.Empty<byte>() },
        { "enum", Color.Blue, Color.Red },
        { "byte enum", Weekday.Friday, Weekday.Monday },
        { "NumpyScalar", NumpyScalar.Create(3.5f), NumpyScalar.Create(0f) },
        { "NdArray", NdArray.Create<float>([1, 2, 3, 4], new Shape(2, 2)), NdArray.Zeros(DType.Float32, new Shape(2, 2)) },
        { "float[,]", new float[,] { { 1, 2 }, { 3, 4 } }, new float[2, 2] },
        { "int[]", new[] { 7, 8 }, new int[2] },
        { "Tensor<double>", Tensor.Create(new double[] { 1, 2, 3 }, [3]), Tensor.Create(new double[3], [3]) },
        { "Dictionary", new Dictionary<string, int> { ["a"] = 1 }, new Dictionary<string, int> { ["a"] = 0 } },
        { "SortedDictionary<int, string>", new SortedDictionary<int, string> { [2] = "x" }, new SortedDictionary<int, string> { [2] = "" } },
        { "List<double>", new List<double> { 1, 2 }, new List<double> { 0, 0 } },
        { "object[]", new object[] { 1L, "x" }, new object[] { 0L, "" } },
        { "Tuple", Tuple.Create(1, "x"), Tuple.Create(0, "") },
        { "ValueTuple", (1, 2.5, "x"), (0, 0.0, "") },
        { "record", new Point(1, 2), new Point(0, 0) },
        { "record struct", new Pair(3, 4), new Pair(0, 0) },
        { "field-less record", new Empty(), new Empty() },
        { "class", new Plain { Count = 3, Name = "n" }, new Plain() },
        { "State", new State<double>(2.5), new State<double>(0) },
        { "Quantity", 10.0 * Units.ms, 1.0 * Units.ms },
        { "array Quantity", NdArray.Create<double>([1, 2]) * Units.mV, NdArray.Zeros(DType.Float64, new Shape(2)) * Units.mV },
    };

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void SaveThenRestore_EveryBuiltInType_GivesTheValueBack(string kind, object value, object template)
    {
        StateNode saved = Msgpack.Deserialize(Msgpack.Serialize(new Dictionary<string, object> { ["v"] = value }))["v"];

        object restored = Msgpack.FromStateDict(template, saved)!;

        Assert.True(Same(value, restored), $"{kind}: saved {value}, restored {restored}");
        Assert.Empty(Msgpack.Reconcile(template, saved));
    }

    [Fact]
    public void SaveThenRestore_ModuleAndItsStates_GivesTheValuesBack()
    {
        var source = new Counter();
        source.Weight.Value = [1, 2, 3];
        source.Steps.Value = 9;
        StateNode saved = Msgpack.Deserialize(Msgpack.Serialize(source));

        Counter restored = Msgpack.FromStateDict(new Counter(), saved);
        StateCollection states = Msgpack.FromStateDict(new Counter().States(), saved);

        Assert.Equal([1f, 2f, 3f], restored.Weight.Value);
        Assert.Equal(9, restored.Steps.Value);
        Assert.Equal(9L, ((State<long>)states["steps"]).Value);
    }

    public enum Planet
    {
        Mercury,
        Venus,
    }

    public readonly struct Celsius(double degrees)
    {
        public double Degrees { get; } = degrees;
    }

    public class Animal(string name)
    {
        public string Name { get; } = name;
    }

    public sealed class Dog(string name, int tricks) : Animal(name)
    {
        public int Tricks { get; } = tricks;
    }

    [Fact]
    public void SaveThenRestore_RegisteredEnumHandler_UsedBothWays()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<Planet>(p => p.ToString().ToLowerInvariant(), (p, s, context) => Enum.Parse<Planet>((string)s!, ignoreCase: true));

        StateNode saved = Msgpack.Deserialize(Msgpack.Serialize(new Dictionary<string, object> { ["p"] = Planet.Venus }));

        Assert.Equal("venus", (string?)saved["p"]);
        Assert.Equal(Planet.Venus, Msgpack.FromStateDict(new Dictionary<string, object> { ["p"] = Planet.Mercury }, saved)["p"]);
    }

    [Fact]
    public void SaveThenRestore_RegisteredStructHandler_UsedBothWays()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<Celsius>(c => c.Degrees * 10, (c, s, context) => new Celsius((double)s / 10));

        StateNode saved = Msgpack.Deserialize(Msgpack.Serialize(new Celsius(36.6)));

        Assert.Equal(366.0, (double)saved);
        Assert.Equal(36.6, Msgpack.FromStateDict(new Celsius(0), saved).Degrees, 12);
    }

    [Fact]
    public void SaveThenRestore_RegisteredClassHandler_AppliesToSubclass()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<Animal>(
            a => new Dictionary<string, object> { ["name"] = a.Name, ["tricks"] = a is Dog d ? d.Tricks : -1 },
            (a, s, context) => (int)s["tricks"] < 0 ? new Animal((string)s["name"]!) : new Dog((string)s["name"]!, (int)s["tricks"]));

        StateNode animal = Msgpack.Deserialize(Msgpack.Serialize(new Animal("cat")));
        StateNode dog = Msgpack.Deserialize(Msgpack.Serialize(new Dog("rex", 3)));

        Assert.Equal(-1L, (long)animal["tricks"]);
        Assert.Equal("cat", Msgpack.FromStateDict(new Animal(""), animal).Name);
        Dog restored = Assert.IsType<Dog>(Msgpack.FromStateDict<Animal>(new Dog("", 0), dog));
        Assert.Equal(("rex", 3), (restored.Name, restored.Tricks));
    }

    [Fact]
    public void Reconcile_ByteOutOfRangeBesideFloat_ReportsWhereRestoreThrows()
    {
        var template = new Dictionary<string, object> { ["b"] = (byte)0, ["x"] = 0 };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["b"] = 300, ["x"] = 0.5 });

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(template, state));
        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(template, state);

        Assert.Equal("./b", e.TreePath);
        Assert.Equal(["./b", "./x"], differences.Select(d => d.Path));
        Assert.All(differences, d => Assert.Equal(CheckpointDifferenceKind.Type, d.Kind));
    }

    /// <summary>Template leaves of every kind, and the saved values a restore meets for them: fitting or not.</summary>
    private static readonly (string Key, Func<object?> Template, object?[] States)[] Slots =
    [
        ("byte", () => (byte)0, [(byte)7, 300, -1, 0.5, "x"]),
        ("int", () => 0, [5, 1L << 40, 0.5, true, new Dictionary<string, object>()]),
        ("float", () => 0.0, [1, 0.5, "x", NdArray.Zeros(DType.Float32, new Shape(2))]),
        ("name", () => "", ["y", 1, null]),
        ("flag", () => false, [true, 1]),
        ("nothing", () => null, [1, "x", new float[2]]),
        ("weights", () => new float[2, 2], [new float[2, 2], new double[2, 2], new float[3, 2], 1.0, new Dictionary<string, object>()]),
        ("array", () => NdArray.Zeros(DType.Float32, new Shape(3)), [new float[3], new int[3], new float[4], NumpyScalar.Create(1f)]),
        ("tensor", () => Tensor.Create(new float[2], [2]), [new float[2], new float[3], "x"]),
        ("list", () => new List<int> { 1, 2 }, [new List<int> { 3, 4 }, new List<int> { 1 }, new List<int> { 1, 2, 3 }, new List<double> { 1, 0.5 }, 5]),
        ("point", () => new Point(0, 0), [new Point(1, 2), new Dictionary<string, object> { ["x"] = 1.0 }, new Dictionary<string, object> { ["x"] = 1.0, ["y"] = 2.0, ["z"] = 3.0 }, new Dictionary<string, object> { ["x"] = "a", ["y"] = 2.0 }, 4]),
        ("tau", () => 10.0 * Units.ms, [20.0 * Units.ms, 1.0 * Units.s, 3.0, new Dictionary<string, object> { ["a"] = 1 }]),
        ("nested", () => new Dictionary<string, object> { ["k"] = 0, ["w"] = new float[2] }, [new Dictionary<string, object> { ["k"] = 1, ["w"] = new float[2] }, new Dictionary<string, object> { ["w"] = new float[2] }, new Dictionary<string, object> { ["k"] = 1.5, ["w"] = new float[1], ["extra"] = 1 }, 1]),
        ("pair", () => (0, ""), [(1, "a"), (1, 2), new List<int> { 1 }]),
    ];

    /// <summary>
    /// Every slot against every saved value, alone and two at a time (the second failing slot after the first): a
    /// generated matrix of templates and states.
    /// </summary>
    public static TheoryData<int, int, int> Matrix()
    {
        var data = new TheoryData<int, int, int>();
        for (int slot = 0; slot < Slots.Length; slot++)
        {
            for (int variant = -1; variant < Slots[slot].States.Length; variant++)
            {
                data.Add(slot, variant, -1);
                data.Add(slot, variant, (slot + 3) % Slots.Length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Reconcile_GeneratedMatrix_FindsAMismatchExactlyWhereTheRestoreThrows(int slot, int variant, int alsoBroken)
    {
        // The template holds every slot; the state the saved form of each slot's own template, with `slot` replaced
        // by variant `variant` (-1: the key missing), and optionally `alsoBroken` replaced by its last variant.
        var template = Slots.ToDictionary(s => s.Key, s => s.Template());
        var saved = Slots.ToDictionary(s => s.Key, s => s.Template());
        if (alsoBroken >= 0)
        {
            saved[Slots[alsoBroken].Key] = Slots[alsoBroken].States[^1];
        }

        if (variant < 0)
        {
            saved.Remove(Slots[slot].Key);
        }
        else
        {
            saved[Slots[slot].Key] = Slots[slot].States[variant];
        }

        StateNode state = Msgpack.Deserialize(Msgpack.Serialize(saved));
        CheckpointMismatchException? thrown = Record.Exception(() => Msgpack.FromStateDict(template, state)) switch
        {
            null => null,
            CheckpointMismatchException e => e,
            Exception other => throw new Xunit.Sdk.XunitException($"The restore failed otherwise: {other}"),
        };
        ReconcileLog log = StateDictConverters.Reconcile(template, state, typeof(object));
        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(template, state);

        if (thrown is null)
        {
            Assert.Empty(log.Mismatches);
            Assert.All(differences, d => Assert.Contains(d.Kind, new[] { CheckpointDifferenceKind.Unexpected, CheckpointDifferenceKind.DType }));
            return;
        }

        ReconcileLog.Mismatch first = Assert.Single(log.Mismatches.Take(1));
        Assert.Equal(thrown.Message, first.Message);
        Assert.Equal(thrown.TreePath, first.Path.ToString());

        // The public list names that place too: the difference itself, or a key under it (a missing or extra key, a field).
        Assert.Contains(differences, d => d.Path == thrown.TreePath || TreePath.Parse(d.Path).Parent?.ToString() == thrown.TreePath);
    }

    private static bool Same(object expected, object actual) => (expected, actual) switch
    {
        (NdArray a, NdArray b) => a.Equals(b),
        (Array a, Array b) => a.Length == b.Length && a.Cast<object>().SequenceEqual(b.Cast<object>()),
        (Tensor<double> a, Tensor<double> b) => a.SequenceEqual(b),
        (System.Collections.IDictionary a, System.Collections.IDictionary b) => a.Count == b.Count && a.Keys.Cast<object>().All(k => b.Contains(k) && Equals(a[k], b[k])),
        (List<double> a, List<double> b) => a.SequenceEqual(b),
        (Plain a, Plain b) => a.Count == b.Count && a.Name == b.Name,
        (State<double> a, State<double> b) => a.Value == b.Value,
        (Quantity a, Quantity b) => a.Equals(b),
        _ => Equals(expected, actual),
    };
}
