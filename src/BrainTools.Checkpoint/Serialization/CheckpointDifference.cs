namespace BrainTools.Checkpoint;

/// <summary>
/// One way in which a saved state does not fit a target, as <see cref="Msgpack.Reconcile(object?, StateNode)"/>
/// reports it.
/// </summary>
/// <param name="Path">Where in the tree: <c>./encoder/layers/0/weights</c>; <c>.</c> is the root.</param>
/// <param name="Kind">What differs.</param>
/// <param name="Expected">What the target has there (<c>(2, 2)</c>, <c>float32</c>, <c>an ndarray (float32, shape (2,))</c>), or <c>nothing</c>.</param>
/// <param name="Actual">What the state has there, or <c>nothing</c>.</param>
public sealed record CheckpointDifference(string Path, CheckpointDifferenceKind Kind, string Expected, string Actual)
{
    /// <summary>One line: <c>./a/w: shape: expected (2, 2), got (3, 2)</c>.</summary>
    public override string ToString() => $"{Path}: {Kind.ToString().ToLowerInvariant()}: expected {Expected}, got {Actual}";
}
