namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// How one .NET type is saved to a state dict and restored from one: both directions in one object, as
/// System.Text.Json's <c>JsonConverter</c>, so save, restore and <see cref="Msgpack.Reconcile(object?, StateNode)"/>
/// (a dry run of the restore) cannot drift apart. One instance per type, resolved and cached by
/// <see cref="StateDictConverters"/>: registered handlers, the built-ins of the higher layers (States, modules,
/// quantities) and those of this layer (scalars, arrays, tensors, collections, records).
/// </summary>
internal abstract class StateDictConverter
{
    /// <summary>The state dict of <paramref name="value"/> (never null), whose type this converter was resolved for.</summary>
    public abstract StateNode Save(object value, SaveContext context);

    /// <summary>
    /// Restores <paramref name="state"/> into <paramref name="target"/> (never null), whose type this converter was
    /// resolved for; <paramref name="declared"/> is the type of the slot it sits in (a member, a value type of a dictionary).
    /// </summary>
    public abstract object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context);

    /// <summary>Restores into a null slot of declared type <paramref name="declared"/>; by default a mismatch that keeps the null.</summary>
    public virtual object? RestoreWithoutTarget(StateNode state, Type declared, CheckpointRestoreContext context) =>
        context.TypeMismatch(null, state, $"a {TypeNames.Of(declared)} (the target is null, so there is nothing to restore into)");
}
