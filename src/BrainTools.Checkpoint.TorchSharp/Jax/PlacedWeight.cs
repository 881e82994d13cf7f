namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>One saved array that a <see cref="JaxWeightMapping"/> placed into a torch tensor.</summary>
/// <param name="SourcePath">Its path in the checkpoint, slash-separated (<c>params/Dense_0/kernel</c>).</param>
/// <param name="TorchName">The state_dict name it filled (<c>fc1.weight</c>).</param>
/// <param name="Layout">The layout applied (for a rule of <see cref="WeightLayout.FlaxKernel"/>, the one its rank picked: <see cref="WeightLayout.Transpose"/> for a Dense kernel).</param>
public sealed record PlacedWeight(string SourcePath, string TorchName, WeightLayout Layout);
