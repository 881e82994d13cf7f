namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>What a <see cref="JaxWeightMapping"/> did: every array placed, every array it could not place, and every tensor left unfilled.</summary>
/// <param name="Placed">Arrays copied into the module, in checkpoint order.</param>
/// <param name="Unplaced">Arrays of the checkpoint that were not copied, each with its reason.</param>
/// <param name="Unfilled">state_dict names of the module that no array filled (they kept their values).</param>
public sealed record WeightMappingReport(IReadOnlyList<PlacedWeight> Placed, IReadOnlyList<UnplacedWeight> Unplaced, IReadOnlyList<string> Unfilled)
{
    /// <summary>Whether every array was placed and every tensor filled.</summary>
    public bool IsComplete => Unplaced.Count == 0 && Unfilled.Count == 0;

    /// <summary>Throws unless <see cref="IsComplete"/>, listing everything that did not fit.</summary>
    /// <exception cref="CheckpointMismatchException">Something was not placed or not filled.</exception>
    public WeightMappingReport ThrowIfIncomplete(string? filePath = null)
    {
        if (!IsComplete)
        {
            IEnumerable<string> lines = Unplaced.Select(weight => "not placed: " + weight).Concat(Unfilled.Select(name => "not filled: " + name));
            throw new CheckpointMismatchException("JAX weights do not fit the module:\n  " + string.Join("\n  ", lines), ".", filePath);
        }

        return this;
    }
}
