using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>The built-in handlers of <see cref="State"/>, <see cref="Module"/> and <see cref="StateCollection"/> (registered in <see cref="SerializationRegistry"/>).</summary>
internal static class ModuleSerialization
{
    /// <summary>A State is saved as its value.</summary>
    public static object? StateToStateDict(State state) => state.BoxedValue;

    /// <summary>Restores the value into the State itself (in place) and returns that State.</summary>
    public static State RestoreState(State state, StateNode saved, Mismatch mismatch)
    {
        state.BoxedValue = StateDictRestorer.Restore(state.BoxedValue, saved, state.ValueType, mismatch);
        return state;
    }

    /// <summary>A module is saved as its States, nested by path.</summary>
    public static object? ModuleToStateDict(Module module) => module.States().ToNested();

    /// <summary>Restores the module's States in place and returns the module.</summary>
    public static Module RestoreModule(Module module, StateNode saved, Mismatch mismatch)
    {
        RestoreCollection(module.States(), saved, mismatch);
        return module;
    }

    /// <summary>The nested map of the States' values.</summary>
    public static object? CollectionToStateDict(StateCollection states) => states.ToNested();

    /// <summary>Restores each State in place, walking the nested map as a dict restore does (missing keys are reported per level).</summary>
    public static StateCollection RestoreCollection(StateCollection states, StateNode saved, Mismatch mismatch)
    {
        StateDictRestorer.Restore(states.ToNested(), saved, typeof(OrderedDictionary<string, object?>), mismatch);
        return states;
    }
}
