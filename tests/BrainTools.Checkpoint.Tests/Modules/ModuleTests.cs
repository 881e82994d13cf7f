using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Modules;

public class ModuleTests
{
    /// <summary>The tutorial's SimpleModel.</summary>
    private sealed class SimpleModel : Module
    {
        public ParamState<float[,]> Weight { get; } = new(new float[,] { { 1.0f, 2.0f }, { 3.0f, 4.0f } });

        public ParamState<float[]> Bias { get; } = new([0.1f, 0.2f]);

        public State<float[]> RunningMean { get; } = new([0.0f, 0.0f]);
    }

    private sealed class Linear : Module
    {
        public Linear(int inputs, int outputs)
        {
            Weight = new ParamState<NdArray>(NdArray.Zeros(DType.Float32, new Shape(inputs, outputs)));
        }

        public ParamState<NdArray> Weight { get; }

        public int Outputs { get; set; } = 3;
    }

    private sealed class Network : Module
    {
        public Network()
        {
            Encoder = new Linear(2, 3);
            Layers = [new Linear(3, 3), new Linear(3, 1)];
            Tied = Encoder.Weight;
        }

        public Linear Encoder { get; }

        public List<Linear> Layers { get; }

        public ParamState<NdArray> Tied { get; }

        public ShortTermState<double> Potential { get; } = new(-65.0);

        [CheckpointIgnore]
        public State<int> Scratch { get; } = new(0);

        [CheckpointName("rng")]
        public State<uint[]> RandomState { get; } = new([1, 2]);
    }

    private static StateMap ModelState(SimpleModel model) => Msgpack.ToStateDict(new Dictionary<string, object>
    {
        ["model_state"] = model.States(),
        ["training_step"] = 1000,
        ["epoch"] = 10,
    }).AsMap();

    [Fact]
    public void States_NestedModules_KeyedByMemberPathsOnceEach()
    {
        var network = new Network();

        StateCollection states = network.States();

        Assert.Equal(["encoder/weight", "layers/0/weight", "layers/1/weight", "potential", "rng"], states.Keys);
        Assert.Same(network.Encoder.Weight, states["encoder/weight"]);
    }

    [Fact]
    public void States_Filtered_KeepsOnlyThatKind()
    {
        StateCollection states = new Network().States<ShortTermState<double>>();

        Assert.Equal(["potential"], states.Keys);
    }

    [Fact]
    public void ToStateDict_Module_IsNestedMapOfStateValues()
    {
        StateNode state = Msgpack.ToStateDict(new Network());

        Assert.Equal(["encoder", "layers", "potential", "rng"], state.AsMap().Keys);
        Assert.Equal(new Shape(3, 1), state["layers"]["1"]["weight"].AsArray().Shape);
        Assert.Equal(-65.0, (double)state["potential"]);
    }

    [Fact]
    public void FromStateDict_Module_RestoresStatesInPlace()
    {
        var source = new Network();
        source.Layers[1].Weight.Value = NdArray.Create<float>([1, 2, 3], new Shape(3, 1));
        source.Potential.Value = -70;
        var target = new Network();
        ParamState<NdArray> weight = target.Layers[1].Weight;

        Network restored = Msgpack.FromStateDict(target, Msgpack.ToStateDict(source));

        Assert.Same(target, restored);
        Assert.Same(weight, restored.Layers[1].Weight);
        Assert.Equal(source.Layers[1].Weight.Value, weight.Value);
        Assert.Equal(-70, target.Potential.Value);
    }

    [Fact]
    public void FromStateDict_ModuleMissingState_ReportsNestedPath()
    {
        StateMap state = Msgpack.ToStateDict(new Network()).AsMap();
        state["layers"].AsMap().Remove("1");

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(new Network(), state));

        Assert.Equal("The target dict keys and state dict keys do not match, target dict contains keys {'1'} which are not present in state dict at path ./layers", e.Message);
    }

    [Fact]
    public void FromStateDict_StateArrayShapeDiffers_ReportsPathOfState()
    {
        var target = new Linear(2, 2);
        StateNode state = Msgpack.ToStateDict(new Linear(3, 2));

        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.FromStateDict(target, state));

        Assert.Equal("Array shape mismatch: expected (2, 2), got (3, 2) at path ./weight", e.Message);
    }

    [Fact]
    public void Save_SimpleModelCheckpoint_WritesPythonBytes()
    {
        byte[] bytes = Msgpack.Serialize(ModelState(new SimpleModel()));

        Assert.Equal(File.ReadAllBytes(Manifest.All["seed_model_state"].FilePath), bytes);
    }

    [Fact]
    public void FromStateDict_PythonModelStateIntoModuleItself_RestoresInPlace()
    {
        StateNode python = Msgpack.Load(Manifest.All["seed_model_state"].FilePath)["model_state"];
        var model = new SimpleModel { RunningMean = { Value = [5f, 5f] } };

        SimpleModel restored = Msgpack.FromStateDict(model, python);

        Assert.Same(model, restored);
        Assert.Equal([0f, 0f], model.RunningMean.Value);
    }

    [Fact]
    public void Load_PythonModelState_RestoresIntoCSharpModel()
    {
        var model = new SimpleModel { Weight = { Value = new float[2, 2] }, Bias = { Value = new float[2] } };
        var template = new Dictionary<string, object>
        {
            ["model_state"] = model.States(),
            ["training_step"] = 0,
            ["epoch"] = 0,
        };

        Dictionary<string, object> restored = Msgpack.Load(Manifest.All["seed_model_state"].FilePath, template);

        Assert.Equal(10, restored["epoch"]);
        Assert.Equal(1000, restored["training_step"]);
        Assert.Same(template["model_state"], restored["model_state"]);
        Assert.Equal(new float[,] { { 1.0f, 2.0f }, { 3.0f, 4.0f } }, model.Weight.Value);
        Assert.Equal([0.1f, 0.2f], model.Bias.Value);
    }
}
