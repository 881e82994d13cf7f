using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>
/// The converter of <see cref="StateCollection"/>: saved as the nested map of its States' values
/// (<c>{'linear': {'weight': ...}}</c>); restored by walking that map as a dict restore does (missing keys are
/// reported per level), each State in place.
/// </summary>
internal sealed class StateCollectionConverter : StateDictConverter<StateCollection>
{
    public static StateNode SaveStates(StateCollection states, SaveContext context) => context.SaveNested(states.ToNested());

    public static void RestoreStates(StateCollection states, StateNode state, CheckpointRestoreContext context) =>
        context.RestoreValue(states.ToNested(), state, typeof(OrderedDictionary<string, object?>));

    public override StateNode Save(StateCollection value, SaveContext context) => SaveStates(value, context);

    public override StateCollection Restore(StateCollection target, StateNode state, CheckpointRestoreContext context)
    {
        RestoreStates(target, state, context);
        return target;
    }
}
