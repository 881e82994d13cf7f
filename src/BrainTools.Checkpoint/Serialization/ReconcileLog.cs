namespace BrainTools.Checkpoint.Serialization;

/// <summary>What a dry run of a restore found: every difference in tree order, and each mismatch the restore would have reported.</summary>
internal sealed class ReconcileLog
{
    public List<CheckpointDifference> Differences { get; } = [];

    /// <summary>The reports in the order a restore makes them; under <see cref="Checkpoint.Mismatch.Error"/> a restore throws the first.</summary>
    public List<Mismatch> Mismatches { get; } = [];

    /// <summary>One report: the full message (with <c>at path ...</c>), where, and the policy in force there.</summary>
    public readonly record struct Mismatch(string Message, TreePath Path, Checkpoint.Mismatch Policy);
}
