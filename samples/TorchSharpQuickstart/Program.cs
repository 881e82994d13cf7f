using BrainTools.Checkpoint;
using BrainTools.Checkpoint.TorchSharp;
using static TorchSharp.torch;

// The two-minute path: save a TorchSharp module, restore it into a fresh one, load weights trained in JAX.
string folder = Path.Combine(Path.GetTempPath(), "braintools-torchsharp-quickstart");
Directory.CreateDirectory(folder);
string path = Path.Combine(folder, "mlp.msgpack");

// 1. Save: the state_dict, nested by its dotted names ({'fc1': {'weight': ...}}), written from the tensors' memory.
manual_seed(0);
var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
TorchCheckpoint.Save(path, model);
Console.WriteLine($"saved {path}: fc1.weight is {((NdArray)Msgpack.Load(path)["fc1"]["weight"]).Shape} at ./fc1/weight");

// 2. Restore into a fresh module: read straight into its parameters; shapes checked, differences reported.
var restored = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
TorchLoadReport report = TorchCheckpoint.LoadInto(path, restored);
using Tensor x = randn(2, 4);
Console.WriteLine($"restored, exact: {report.IsExact}, same outputs: {model.call(x).equal(restored.call(x)).all().item<bool>()}");

// 3. JAX-trained weights: flax's Dense kernel is (in, out), torch's Linear.weight (out, in); rules say so.
string data = Path.Combine(AppContext.BaseDirectory, "Data");
WeightMappingReport placed = new JaxWeightMapping()
    .Layer("params/Dense_0", "fc1")
    .Layer("params/Dense_1", "fc2")
    .LoadInto(Path.Combine(data, "jax_mlp.msgpack"), restored);
foreach (PlacedWeight weight in placed.Placed)
{
    Console.WriteLine($"  {weight.SourcePath,-22} -> {weight.TorchName,-10} ({weight.Layout})");
}

// The same forward pass as numpy's, on the inputs the Python script saved beside the weights.
StateNode io = Msgpack.Load(Path.Combine(data, "jax_mlp_io.msgpack"));
using Tensor inputs = TensorArrays.ToTensor((NdArray)io["x"]);
using Tensor expected = TensorArrays.ToTensor((NdArray)io["y"]);
using Tensor outputs = restored.call(inputs);
double largest = (outputs - expected).abs().max().item<float>();
Console.WriteLine($"TorchSharp vs numpy: largest difference {largest:G3}");
return largest <= 1e-5 ? 0 : 1;
