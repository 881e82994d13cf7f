namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>One saved array that a <see cref="JaxWeightMapping"/> could not place, and why.</summary>
/// <param name="SourcePath">Its path in the checkpoint, slash-separated (<c>params/Dense_2/kernel</c>).</param>
/// <param name="TorchName">The name a rule gave it, or null when no rule matched.</param>
/// <param name="Reason">Why: no rule matched, the module has no such tensor, the shapes differ after the layout, the layout does not fit the rank.</param>
public sealed record UnplacedWeight(string SourcePath, string? TorchName, string Reason)
{
    /// <summary>One line: <c>params/Dense_2/kernel: no rule matches</c>.</summary>
    public override string ToString() => TorchName is null ? $"{SourcePath}: {Reason}" : $"{SourcePath} -> {TorchName}: {Reason}";
}
