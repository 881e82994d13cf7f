using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Every difference between what <paramref name="target"/> expects and what <paramref name="state"/> holds,
    /// all at once and without restoring anything: keys the target has and the state lacks (missing) and the
    /// reverse (unexpected), array shapes and dtypes, quantity units, and values of another kind (type). Use it to
    /// see everything that does not fit before a <see cref="Load{T}(string, T, Mismatch, bool, MsgpackOptions?)"/>
    /// that would stop at the first.
    /// </summary>
    /// <param name="target">A template, as for a load (it is turned into its state dict), or a raw tree such as another checkpoint's <see cref="Load(string, bool, MsgpackOptions?)"/>. A null target, or a null value in it, accepts anything.</param>
    /// <param name="state">The saved state dict.</param>
    /// <returns>The differences in tree order (depth first, the target's keys before the state's extra ones); empty when the state fits.</returns>
    /// <remarks>
    /// Some differences do not stop a restore: unexpected dict keys are ignored, a different dtype is kept
    /// (<see cref="NdArray"/>) or converted (typed arrays), a Python int fits where a float is expected.
    /// </remarks>
    /// <exception cref="CheckpointException">The target holds a value that has no state-dict form.</exception>
    public static IReadOnlyList<CheckpointDifference> Reconcile(object? target, StateNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Reconciler.Compare(ToStateDict(target), state);
    }
}
