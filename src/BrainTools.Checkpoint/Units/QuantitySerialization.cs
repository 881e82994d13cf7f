using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>The built-in registry handler of <see cref="Quantity"/>, braintools' <c>_quantity_dict_state</c> / <c>_restore_quantity</c>.</summary>
internal static class QuantitySerialization
{
    public static object? ToStateDict(Quantity quantity) => quantity.ToStateDict();

    /// <summary>
    /// Restores a quantity with the saved unit. A unit other than the template's is a mismatch; under warn and
    /// ignore the loaded quantity is kept, with its own unit, as braintools does.
    /// </summary>
    public static Quantity FromStateDict(Quantity target, StateNode state, Mismatch mismatch)
    {
        if (state is not StateMap)
        {
            RestoreContext.Report(MismatchMessages.Type("a quantity", state), mismatch);
            return target;
        }

        Quantity loaded = Quantity.FromStateDict(state, Msgpack.CurrentPath);
        if (loaded.Unit != target.Unit)
        {
            RestoreContext.Report(MismatchMessages.Unit(target.Unit, loaded.Unit), mismatch);
        }

        return loaded;
    }
}
