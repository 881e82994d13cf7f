using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>The registry is process-wide: each test registers types of its own so tests can run in parallel.</summary>
public class RegistryTests
{
    /// <summary>The tutorial's CustomLayer.</summary>
    private sealed class CustomLayer
    {
        public CustomLayer(int inputSize, int outputSize)
        {
            InputSize = inputSize;
            OutputSize = outputSize;
            Weights = NdArray.Zeros(DType.Float32, new Shape(inputSize, outputSize));
            Bias = NdArray.Zeros(DType.Float32, new Shape(outputSize));
        }

        public int InputSize { get; }

        public int OutputSize { get; }

        public NdArray Weights { get; set; }

        public NdArray Bias { get; set; }
    }

    private class Animal
    {
        public string Name { get; set; } = "";
    }

    private class Dog : Animal;

    private sealed class Puppy : Dog;

    private interface IShape
    {
        double Size { get; }
    }

    private sealed class Square(double size) : IShape
    {
        public double Size => size;
    }

    private sealed class Opaque(int value)
    {
        public int Read() => value;
    }

    private static Dictionary<string, object?> LayerToStateDict(CustomLayer layer) => new()
    {
        ["input_size"] = layer.InputSize,
        ["output_size"] = layer.OutputSize,
        ["weights"] = layer.Weights,
        ["bias"] = layer.Bias,
    };

    private static CustomLayer LayerFromStateDict(CustomLayer layer, StateNode state, Mismatch mismatch) =>
        new((int)state["input_size"], (int)state["output_size"])
        {
            Weights = (NdArray)state["weights"],
            Bias = (NdArray)state["bias"],
        };

    [Fact]
    public void Load_PythonCustomLayer_RestoresThroughRegisteredHandler()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<CustomLayer>(LayerToStateDict, LayerFromStateDict);
        var template = new Dictionary<string, object> { ["my_layer"] = new CustomLayer(10, 5), ["metadata"] = new Dictionary<string, string> { ["version"] = "" } };

        Dictionary<string, object> loaded = Msgpack.Load(Manifest.All["seed_custom_layer"].FilePath, template);

        var layer = Assert.IsType<CustomLayer>(loaded["my_layer"]);
        Assert.Equal(new Shape(10, 5), layer.Weights.Shape);
        Assert.NotEqual(NdArray.Zeros(DType.Float32, new Shape(10, 5)), layer.Weights);
        Assert.Equal("1.0", ((Dictionary<string, string>)loaded["metadata"])["version"]);
    }

    [Fact]
    public void Save_CustomLayer_WritesWhatHandlerReturns()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<CustomLayer>(LayerToStateDict, LayerFromStateDict);
        StateNode python = Msgpack.Load(Manifest.All["seed_custom_layer"].FilePath);
        var layer = new CustomLayer(10, 5) { Weights = python["my_layer"]["weights"].AsArray(), Bias = python["my_layer"]["bias"].AsArray() };

        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["my_layer"] = layer, ["metadata"] = new Dictionary<string, object> { ["version"] = "1.0" } });

        Assert.Equal(File.ReadAllBytes(Manifest.All["seed_custom_layer"].FilePath), bytes);
    }

    [Fact]
    public void RegisterSerialization_Twice_ThrowsUnlessOverride()
    {
        using IDisposable first = Msgpack.RegisterSerializationScoped<Opaque>(o => o.Read(), (o, s, m) => new Opaque((int)s));

        var e = Assert.Throws<InvalidOperationException>(() => Msgpack.RegisterSerialization<Opaque>(o => 0, (o, s, m) => o));
        using IDisposable second = Msgpack.RegisterSerializationScoped<Opaque>(o => -o.Read(), (o, s, m) => new Opaque(-(int)s), @override: true);

        Assert.Equal("a serialization handler for \"Opaque\" is already registered", e.Message);
        Assert.Equal(-4L, (long)Msgpack.ToStateDict(new Opaque(4)));
    }

    [Fact]
    public void RegisterSerializationScoped_Dispose_RestoresPreviousHandler()
    {
        using (Msgpack.RegisterSerializationScoped<Opaque>(o => o.Read(), (o, s, m) => new Opaque((int)s)))
        {
            using (Msgpack.RegisterSerializationScoped<Opaque>(o => 100, (o, s, m) => o, @override: true))
            {
                Assert.Equal(100L, (long)Msgpack.ToStateDict(new Opaque(1)));
            }

            Assert.Equal(1L, (long)Msgpack.ToStateDict(new Opaque(1)));
            Assert.Equal(9, Msgpack.FromStateDict(new Opaque(0), new StateValue(9L)).Read());
        }

        Assert.False(Msgpack.IsSerializationRegistered<Opaque>());
        Assert.Throws<CheckpointException>(() => Msgpack.ToStateDict(new Opaque(1)));
    }

    [Fact]
    public void Lookup_Subclass_MostDerivedRegisteredTypeWins()
    {
        using IDisposable animal = Msgpack.RegisterSerializationScoped<Animal>(a => "animal:" + a.Name, (a, s, m) => a);
        using IDisposable dog = Msgpack.RegisterSerializationScoped<Dog>(d => "dog:" + d.Name, (d, s, m) => d);

        Assert.Equal("dog:rex", (string?)Msgpack.ToStateDict(new Puppy { Name = "rex" }));
        Assert.Equal("dog:fido", (string?)Msgpack.ToStateDict(new Dog { Name = "fido" }));
        Assert.Equal("animal:cat", (string?)Msgpack.ToStateDict(new Animal { Name = "cat" }));
    }

    [Fact]
    public void Lookup_RegisteredInterface_AppliesToImplementations()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<IShape>(s => s.Size, (s, state, m) => new Square((double)state));

        IShape restored = Msgpack.FromStateDict<IShape>(new Square(1), Msgpack.ToStateDict(new Square(2.5)));

        Assert.Equal(2.5, restored.Size);
    }

    [Fact]
    public void Handler_NestedFromStateDict_ReportsPathFromHandlerNode()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<CustomLayer>(
            LayerToStateDict,
            (layer, state, mismatch) =>
            {
                layer.Weights = Msgpack.FromStateDict(layer.Weights, state["weights"], mismatch);
                return layer;
            });
        var target = new Dictionary<string, object> { ["my_layer"] = new CustomLayer(2, 2) };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["my_layer"] = new CustomLayer(3, 2) });

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));

        Assert.Equal("Array shape mismatch: expected (2, 2), got (3, 2) at path ./my_layer", e.Message);
    }

    [Fact]
    public void Handler_FromStateDictByKey_ReportsPathOfPart()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<CustomLayer>(
            LayerToStateDict,
            (layer, state, mismatch) =>
            {
                layer.Weights = Msgpack.FromStateDict(layer.Weights, state, "weights", mismatch);
                layer.Bias = Msgpack.FromStateDict(layer.Bias, state, "bias_renamed", mismatch);
                return layer;
            });
        var target = new Dictionary<string, object> { ["my_layer"] = new CustomLayer(2, 2) };
        StateNode wrongShape = Msgpack.ToStateDict(new Dictionary<string, object> { ["my_layer"] = new CustomLayer(3, 2) });
        StateNode rightShape = Msgpack.ToStateDict(new Dictionary<string, object> { ["my_layer"] = new CustomLayer(2, 2) });
        var log = new WarningLog();

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, wrongShape));
        Msgpack.FromStateDict(target, rightShape, Mismatch.Warn, log.Options);

        Assert.Equal("Array shape mismatch: expected (2, 2), got (3, 2) at path ./my_layer/weights", e.Message);
        Assert.Equal(["The target dict keys and state dict keys do not match, target dict contains keys {'bias_renamed'} which are not present in state dict at path ./my_layer"], log.Messages);
    }

    [Fact]
    public void ReportMismatch_InHandler_UsesPolicyAndPathOfItsContext()
    {
        using IDisposable registration = Msgpack.RegisterSerializationScoped<Opaque>(
            o => o.Read(),
            (o, s, m) =>
            {
                if ((int)s != o.Read())
                {
                    Msgpack.ReportMismatch($"Unit mismatch: expected {o.Read()}, got {(int)s}", m);
                }

                return new Opaque((int)s);
            });
        var target = new Dictionary<string, object> { ["q"] = new Opaque(1) };
        StateNode state = Msgpack.ToStateDict(new Dictionary<string, object> { ["q"] = new Opaque(2) });
        var log = new WarningLog();

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));
        Dictionary<string, object> warned = Msgpack.FromStateDict(target, state, Mismatch.Warn, log.Options);

        Assert.Equal("Unit mismatch: expected 1, got 2 at path ./q", e.Message);
        Assert.Equal(["Unit mismatch: expected 1, got 2 at path ./q"], log.Messages);
        Assert.Equal(2, ((Opaque)warned["q"]).Read());
    }

    [Fact]
    public void Register_ManyThreads_AllRegistrationsAndLookupsConsistent()
    {
        // Distinct closed generic types give each thread types no other test uses.
        var registrations = new System.Collections.Concurrent.ConcurrentBag<IDisposable>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            Func<int, long> roundTrip;
            switch (i % 4)
            {
                case 0: registrations.Add(Register<Tag0>()); roundTrip = k => (long)Msgpack.ToStateDict(new Box<Tag0>(k)); break;
                case 1: registrations.Add(Register<Tag1>()); roundTrip = k => (long)Msgpack.ToStateDict(new Box<Tag1>(k)); break;
                case 2: registrations.Add(Register<Tag2>()); roundTrip = k => (long)Msgpack.ToStateDict(new Box<Tag2>(k)); break;
                default: registrations.Add(Register<Tag3>()); roundTrip = k => (long)Msgpack.ToStateDict(new Box<Tag3>(k)); break;
            }

            for (int k = 0; k < 50; k++)
            {
                if (roundTrip(k) != k)
                {
                    failures.Add($"lookup {i}/{k}");
                }
            }
        });

        Assert.Empty(failures);
        Assert.Equal(64, registrations.Count);
        Assert.True(Msgpack.IsSerializationRegistered<Box<Tag3>>());
        foreach (IDisposable registration in registrations)
        {
            registration.Dispose();
        }

        Assert.False(Msgpack.IsSerializationRegistered<Box<Tag0>>());
        Assert.False(Msgpack.IsSerializationRegistered<Box<Tag3>>());
    }

    private static IDisposable Register<TTag>() =>
        Msgpack.RegisterSerializationScoped<Box<TTag>>(b => b.Value, (b, s, m) => new Box<TTag>((int)s), @override: true);

    private sealed class Box<TTag>(int value)
    {
        public int Value { get; } = value;
    }

    private sealed class Tag0;

    private sealed class Tag1;

    private sealed class Tag2;

    private sealed class Tag3;
}
