using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Lazy;

/// <summary>The copies one walk of a <see cref="CheckpointReader"/> plans (a sub-tree, what a template asks for), read together at its end.</summary>
internal sealed class ReadBatch
{
    /// <summary>The ranges to read, each into its array's new memory.</summary>
    public List<PositionalRead.Request> Reads { get; } = [];

    /// <summary>Their total length.</summary>
    public long Bytes { get; set; }
}
