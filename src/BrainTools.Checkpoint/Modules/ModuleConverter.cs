using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>The converter of <see cref="Module"/>: saved as its States nested by path; restored by restoring those States in place.</summary>
internal sealed class ModuleConverter : StateDictConverter<Module>
{
    public override StateNode Save(Module value, SaveContext context) => StateCollectionConverter.SaveStates(value.States(), context);

    public override Module Restore(Module target, StateNode state, CheckpointRestoreContext context)
    {
        StateCollectionConverter.RestoreStates(target.States(), state, context);
        return target;
    }
}
