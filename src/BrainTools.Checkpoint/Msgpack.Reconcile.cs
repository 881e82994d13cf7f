using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Every difference between what <paramref name="target"/> expects and what <paramref name="state"/> holds,
    /// all at once and without restoring anything: keys the target has and the state lacks (missing) and the
    /// reverse (unexpected), array shapes and dtypes, quantity units, values of another kind (type), and what
    /// registered handlers report (other). It is a dry run of <see cref="FromStateDict{T}(T, StateNode, Mismatch, MsgpackOptions?)"/>
    /// through the same converters, so it finds exactly what that restore would find: under <see cref="Mismatch.Error"/>
    /// the restore throws if and only if a difference other than an unexpected dict key or a dtype is listed, and
    /// its message names the place of the first one (the dict's path for a missing key, the record's for fields).
    /// </summary>
    /// <param name="target">A template, as for a load, or a raw tree such as another checkpoint's <see cref="Load(string, MsgpackOptions?)"/>
    /// (its maps are compared as dicts, its leaves by kind, quantity maps by unit). A null target, or a null value in it, accepts anything.</param>
    /// <param name="state">The saved state dict.</param>
    /// <returns>The differences in tree order (depth first, the target's keys before the state's extra ones); empty when the state fits.</returns>
    /// <remarks>
    /// Some differences do not stop a restore: unexpected dict keys are ignored, a different dtype is kept
    /// (<see cref="NdArray"/>) or converted (typed arrays), a Python int fits where a float is expected. The template is
    /// not changed: States are not assigned and nested restores return the template's own values (handlers see
    /// <see cref="CheckpointRestoreContext.IsDryRun"/>).
    /// </remarks>
    /// <exception cref="CheckpointException">The target holds a type that cannot be restored.</exception>
    public static IReadOnlyList<CheckpointDifference> Reconcile(object? target, StateNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return StateDictConverters.Reconcile(target, state, typeof(object)).Differences;
    }
}
