using BrainTools.Checkpoint.Tests.Interop;
using BrainTools.Checkpoint.Tests.Serialization;

namespace BrainTools.Checkpoint.Tests.Tutorial;

/// <summary>
/// The behaviour of each tutorial section the samples show, on the files the Python tutorial wrote
/// (interop/vectors/seed_*): what loads, what each mismatch mode says and keeps.
/// </summary>
public class TutorialTests
{
    private const string MissingLayer3 =
        "The target dict keys and state dict keys do not match, target dict contains keys {'layer3'} which are not present in state dict at path .";

    private const string MissingMomentum =
        "The target dict keys and state dict keys do not match, target dict contains keys {'momentum'} which are not present in state dict at path ./config";

    private static Dictionary<string, object> NewModel() => new()
    {
        ["layer1"] = new Dictionary<string, object> { ["weights"] = new float[5, 3], ["bias"] = new float[3] },
        ["layer2"] = new Dictionary<string, object> { ["weights"] = new float[3, 2], ["bias"] = new float[2] },
        ["layer3"] = new Dictionary<string, object> { ["weights"] = new float[2, 1], ["bias"] = new float[1] },
        ["config"] = new Dictionary<string, object> { ["lr"] = 0.001, ["momentum"] = 0.9 },
    };

    private static Dictionary<string, object> Sub(Dictionary<string, object> model, string key) => (Dictionary<string, object>)model[key];

    private static string Original => Manifest.All["seed_original"].FilePath;

    [Fact]
    public void MismatchHandling_OriginalModelSavedFromCSharp_IsPythonBytes()
    {
        static float[,] Ones(int rows, int columns)
        {
            var array = new float[rows, columns];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    array[i, j] = 1.0f;
                }
            }

            return array;
        }

        var originalModel = new Dictionary<string, object>
        {
            ["layer1"] = new Dictionary<string, object> { ["weights"] = Ones(5, 3), ["bias"] = new float[3] },
            ["layer2"] = new Dictionary<string, object> { ["weights"] = Ones(3, 2), ["bias"] = new float[2] },
            ["config"] = new Dictionary<string, object> { ["lr"] = 0.01 },
        };

        Assert.Equal(File.ReadAllBytes(Original), Msgpack.Serialize(originalModel));
    }

    [Fact]
    public void MismatchHandling_Error_ThrowsTutorialMessage()
    {
        var e = Assert.Throws<CheckpointMismatchException>(() => Msgpack.Load(Original, NewModel(), Mismatch.Error));

        Assert.Equal(MissingLayer3, e.Message);
        Assert.Equal(Original, e.FilePath);
    }

    [Fact]
    public void MismatchHandling_Warn_WarnsLayer3FirstAndKeepsTargetParts()
    {
        Dictionary<string, object> newModel = NewModel();
        var log = new WarningLog();

        Dictionary<string, object> loaded = Msgpack.Load(Original, newModel, Mismatch.Warn, options: log.Options);

        Assert.Equal([MissingLayer3, MissingMomentum], log.Messages);
        Assert.Same(Sub(newModel, "layer3")["weights"], Sub(loaded, "layer3")["weights"]);
        Assert.Equal(0.9, Sub(loaded, "config")["momentum"]);
        Assert.Equal(0.01, Sub(loaded, "config")["lr"]);
        float[,] ones = (float[,])Sub(loaded, "layer1")["weights"];
        Assert.All(ones.Cast<float>(), value => Assert.Equal(1.0f, value));
    }

    [Fact]
    public void MismatchHandling_Ignore_KeepsTargetPartsSilently()
    {
        Dictionary<string, object> newModel = NewModel();
        var log = new WarningLog();

        Dictionary<string, object> loaded = Msgpack.Load(Original, newModel, Mismatch.Ignore, options: log.Options);

        Assert.Empty(log.Messages);
        Assert.Same(Sub(newModel, "layer3"), Sub(loaded, "layer3"));
        Assert.Equal(0.9, Sub(loaded, "config")["momentum"]);
        Assert.Equal(new Shape(3, 2), Msgpack.ToStateDict(Sub(loaded, "layer2")["weights"]).AsArray().Shape);
    }

    [Fact]
    public void WorkingWithTemplates_CSharpSavedData_LoadsIntoTemplateTypes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model_checkpoint.msgpack");
        Msgpack.Save(path, new Dictionary<string, object>
        {
            ["weights"] = new float[,] { { 1, 2 }, { 3, 4 } },
            ["bias"] = new[] { 0.1f, 0.2f },
            ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.001, ["batch_size"] = 32 },
        });
        var template = new Dictionary<string, object>
        {
            ["weights"] = new double[2, 2],
            ["bias"] = new float[2],
            ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.0f, ["batch_size"] = 0L },
        };

        Dictionary<string, object> loaded = Msgpack.Load(path, template);

        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, loaded["weights"]);
        Assert.Equal(0.001f, Sub(loaded, "config")["learning_rate"]);
        Assert.Equal(32L, Sub(loaded, "config")["batch_size"]);
        Assert.Equal(File.ReadAllBytes(Manifest.All["seed_basic"].FilePath), File.ReadAllBytes(path));
    }

    [Fact]
    public void ComplexNestedStructures_RawLoad_ListsAreMapsOfIndices()
    {
        StateNode loaded = Msgpack.Load(Manifest.All["seed_complex_model"].FilePath);

        Assert.Equal(2, loaded["encoder"]["layers"].AsMap().Count);
        Assert.Equal(1000, (int)loaded["optimizer_state"]["step"]);
        Assert.Equal(new Shape(64, 100), loaded["decoder"]["layers"][1]["weights"].AsArray().Shape);
    }

    [Fact]
    public void VersionCompatibility_PythonMetadata_ReadsBack()
    {
        StateNode metadata = Msgpack.Load(Manifest.All["seed_versioned"].FilePath)["metadata"];

        Assert.Equal("0.0.12", (string?)metadata["braintools_version"]);
        Assert.Equal("1.2.0", (string?)metadata["model_version"]);
        Assert.Equal(1764330000.125, (double)metadata["timestamp"]);
        Assert.Equal(32, (int)metadata["training_config"]["batch_size"]);
    }

    [Fact]
    public void ErrorHandling_MissingFileAndDamagedFile_AreTypedErrors()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("nonexistent_checkpoint.msgpack");
        string damaged = dir.File("damaged.msgpack");
        File.WriteAllBytes(damaged, [0x83, 0xa7, 0x77, 0x65]);

        var notFound = Assert.Throws<FileNotFoundException>(() => Msgpack.Load(missing, new Dictionary<string, object>(), Mismatch.Warn));
        var invalid = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(damaged, new Dictionary<string, object>(), Mismatch.Warn));

        Assert.Equal($"Checkpoint not found: {missing}", notFound.Message);
        Assert.IsAssignableFrom<CheckpointException>(invalid);
    }

    [Fact]
    public void CheckpointValidation_SeedBasic_HasExpectedShapesAndReconcileFindsEveryDifference()
    {
        StateNode loaded = Msgpack.Load(Manifest.All["seed_basic"].FilePath);
        var template = new Dictionary<string, object>
        {
            ["weights"] = new float[3, 2],
            ["bias"] = new float[2],
            ["config"] = new Dictionary<string, object> { ["learning_rate"] = 0.0, ["batch_size"] = 0, ["momentum"] = 0.0 },
        };

        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(template, loaded);

        Assert.Equal(new Shape(2, 2), loaded["weights"].AsArray().Shape);
        Assert.Equal(new Shape(2), loaded["bias"].AsArray().Shape);
        Assert.Equal(
            ["./weights: shape: expected (3, 2), got (2, 2)", "./config/momentum: missing: expected a float (0.0), got nothing"],
            differences.Select(d => d.ToString()));
    }
}
