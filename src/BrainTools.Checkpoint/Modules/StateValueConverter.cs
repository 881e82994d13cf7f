using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>
/// The converter of <see cref="State"/> (braintools' <c>_brainstate_dict_state</c> / <c>_restore_brainstate</c>):
/// saved as its value; restored in place, the template's State getting the restored value (converted to its
/// <see cref="State.ValueType"/>) and being returned.
/// </summary>
internal sealed class StateValueConverter : StateDictConverter<State>
{
    public override StateNode Save(State value, SaveContext context) => context.SaveNested(value.BoxedValue);

    public override State Restore(State target, StateNode state, CheckpointRestoreContext context)
    {
        object? restored = context.RestoreValue(target.BoxedValue, state, target.ValueType);
        if (!context.IsDryRun)
        {
            target.BoxedValue = restored;
        }

        return target;
    }
}
