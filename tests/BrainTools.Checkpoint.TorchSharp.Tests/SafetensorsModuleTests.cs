using System.Text.Json;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class SafetensorsModuleTests
{
    private static readonly string PythonFile = Path.Combine(AppContext.BaseDirectory, "Data", "torch_mlp.safetensors");

    [Fact]
    public void LoadInto_FileInPyTorchsLayout_FillsEveryTensorWithItsValues()
    {
        var model = TorchModels.Mlp(seed: 1);

        IReadOnlyList<CheckpointDifference> differences = TorchSafetensors.LoadInto(PythonFile, model);

        Assert.Empty(differences);
        foreach ((string name, Tensor tensor) in model.state_dict())
        {
            if (tensor.dtype == ScalarType.Int64)
            {
                Assert.Equal(5L, tensor.item<long>());
                continue;
            }

            float[] actual = tensor.contiguous().data<float>().ToArray();
            float[] expected = [.. Enumerable.Range(0, actual.Length).Select(i => (((i * 7) + name.Length) % 23 - 11) / 8f)];
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Save_Module_WritesTheNamesShapesAndBytesPythonReads()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.safetensors");
        var model = TorchModels.Mlp(seed: 1);
        TorchModels.Warm(model, seed: 10);

        TorchSafetensors.Save(path, model);

        // Read back as safetensors' reference reader does: 8-byte length, JSON header, offsets into the data.
        byte[] file = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(file, 0);
        Assert.Equal(0, (8 + headerLength) % 8);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        var names = new List<string>();
        long covered = 0;
        foreach (JsonProperty entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            names.Add(entry.Name);
            Tensor tensor = model.state_dict()[entry.Name];
            Assert.Equal(tensor.dtype == ScalarType.Int64 ? "I64" : "F32", entry.Value.GetProperty("dtype").GetString());
            long[] shape = [.. entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
            Assert.Equal(tensor.shape, shape);
            long begin = entry.Value.GetProperty("data_offsets")[0].GetInt64();
            long end = entry.Value.GetProperty("data_offsets")[1].GetInt64();
            Assert.Equal(TorchModels.Bytes(tensor), file.AsSpan((int)(8 + headerLength + begin), (int)(end - begin)).ToArray());
            covered += end - begin;
        }

        Assert.Equal(file.Length - 8 - headerLength, covered);
        Assert.Equal(model.state_dict().Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SaveThenLoadInto_FreshModule_GivesIdenticalOutputs()
    {
        using var dir = new TempDirectory();
        string path = dir.File("mlp.safetensors");
        var saved = TorchModels.Mlp(seed: 1);
        TorchModels.Warm(saved, seed: 10);
        TorchSafetensors.Save(path, saved);

        var restored = TorchModels.Mlp(seed: 2);
        Assert.Empty(TorchSafetensors.LoadInto(path, restored));

        saved.eval();
        restored.eval();
        using Tensor x = TorchModels.Inputs(seed: 3);
        using Tensor expected = saved.call(x);
        using Tensor actual = restored.call(x);
        Assert.Equal(TorchModels.Bytes(expected), TorchModels.Bytes(actual));
    }

    [Fact]
    public void LoadInto_LaterShapeMismatch_ThrowsWithPathAndChangesNoTensor()
    {
        // fc1 fits the file and comes first; fc2 does not: nothing may change, fc1 included.
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 4)));
        byte[] before = TorchModels.Bytes(model.state_dict()["fc1.weight"]);

        CheckpointMismatchException e = Assert.Throws<CheckpointMismatchException>(() => TorchSafetensors.LoadInto(PythonFile, model));

        Assert.Contains("Array shape mismatch: expected (4, 8), got (3, 8)", e.Message, StringComparison.Ordinal);
        Assert.Equal("./fc2/weight", e.TreePath);
        Assert.Equal(before, TorchModels.Bytes(model.state_dict()["fc1.weight"]));
    }
}
