namespace BrainTools.Checkpoint.Tests.Interop;

/// <summary>Python-written files restored into C# templates, and C# objects of the same shape written back as the same bytes.</summary>
public class RestoreVectorTests
{
    private sealed record Layer(NdArray Weights, NdArray Bias);

    private sealed record EncoderConfig(string Activation, double Dropout);

    private sealed record DecoderConfig(string Activation);

    private sealed record Encoder(List<Layer> Layers, EncoderConfig Config);

    private sealed record Decoder(List<Layer> Layers, DecoderConfig Config);

    private sealed record OptimizerState(float[][,] Momentum, double LearningRate, int Step);

    private sealed record ComplexModel(Encoder Encoder, Decoder Decoder, OptimizerState OptimizerState);

    private static Layer EmptyLayer(int inputs, int outputs) =>
        new(NdArray.Zeros(DType.Float32, new Shape(inputs, outputs)), NdArray.Zeros(DType.Float32, new Shape(outputs)));

    private static ComplexModel Template() => new(
        new Encoder([EmptyLayer(100, 64), EmptyLayer(4, 32)], new EncoderConfig("", 0)),
        new Decoder([EmptyLayer(32, 64), EmptyLayer(64, 100)], new DecoderConfig("")),
        new OptimizerState([new float[100, 64], new float[64, 32], new float[32, 64], new float[64, 100]], 0, 0));

    [Fact]
    public void Load_SeedBasic_RestoresIntoDictionaryTemplate()
    {
        var template = new Dictionary<string, object>
        {
            ["weights"] = new float[2, 2],
            ["bias"] = new float[2],
            ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.0, ["batch_size"] = 0 },
        };

        Dictionary<string, object> loaded = Msgpack.Load(Manifest.All["seed_basic"].FilePath, template);

        Assert.Equal(new float[,] { { 1, 2 }, { 3, 4 } }, loaded["weights"]);
        Assert.Equal(new[] { 0.1f, 0.2f }, loaded["bias"]);
        var config = (Dictionary<string, object>)loaded["config"];
        Assert.Equal(0.001, config["learning_rate"]);
        Assert.Equal(32, config["batch_size"]);
        Assert.Equal(new float[2], template["bias"]);
    }

    [Fact]
    public void Load_SeedComplexModel_RestoresIntoTypedRecords()
    {
        ManifestEntry entry = Manifest.All["seed_complex_model"];
        StateNode raw = Msgpack.Load(entry.FilePath);

        ComplexModel model = Msgpack.Load(entry.FilePath, Template());

        Assert.Equal(2, model.Encoder.Layers.Count);
        Assert.Equal("relu", model.Encoder.Config.Activation);
        Assert.Equal(0.1, model.Encoder.Config.Dropout);
        Assert.Equal("sigmoid", model.Decoder.Config.Activation);
        Assert.Equal(1000, model.OptimizerState.Step);
        Assert.Equal(0.001, model.OptimizerState.LearningRate);
        Assert.Equal(raw["encoder"]["layers"]["1"]["weights"].AsArray(), model.Encoder.Layers[1].Weights);
        Assert.Equal(raw["optimizer_state"]["momentum"]["3"].AsArray().ToArray(), model.OptimizerState.Momentum[3]);
    }

    [Fact]
    public void Save_RestoredComplexModel_WritesPythonBytes()
    {
        ManifestEntry entry = Manifest.All["seed_complex_model"];
        ComplexModel model = Msgpack.Load(entry.FilePath, Template());

        byte[] bytes = Msgpack.Serialize(model);

        Assert.Equal(File.ReadAllBytes(entry.FilePath), bytes);
    }

    [Fact]
    public void Load_SeedComplexModelIntoWrongShapes_ReconcileListsEveryDifference()
    {
        ComplexModel template = Template() with { OptimizerState = new OptimizerState([new float[1, 1]], 0, 0) };

        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(template, Msgpack.Load(Manifest.All["seed_complex_model"].FilePath));

        Assert.Equal(
            [
                "./optimizer_state/momentum/0: shape: expected (1, 1), got (100, 64)",
                "./optimizer_state/momentum/1: unexpected: expected nothing, got an ndarray (float32, shape (64, 32))",
                "./optimizer_state/momentum/2: unexpected: expected nothing, got an ndarray (float32, shape (32, 64))",
                "./optimizer_state/momentum/3: unexpected: expected nothing, got an ndarray (float32, shape (64, 100))",
            ],
            differences.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_SeedEpoch10_RestoresRngStateIntoUIntArray()
    {
        var template = new Dictionary<string, object>
        {
            ["model_state"] = new Dictionary<string, object> { ["weights"] = new float[10, 10], ["bias"] = new float[10] },
            ["epoch"] = 0,
            ["optimizer_state"] = new Dictionary<string, object> { ["momentum"] = new float[10, 10], ["step"] = 0 },
            ["rng_state"] = new uint[2],
        };

        Dictionary<string, object> loaded = Msgpack.Load(Manifest.All["seed_epoch_10"].FilePath, template);

        Assert.Equal(10, loaded["epoch"]);
        Assert.Equal(Msgpack.Load(Manifest.All["seed_epoch_10"].FilePath)["rng_state"].AsArray().ToArray<uint>(), loaded["rng_state"]);
    }
}
