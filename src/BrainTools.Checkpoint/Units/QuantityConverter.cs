using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>
/// The converter of <see cref="Quantity"/> (braintools' <c>_quantity_dict_state</c> / <c>_restore_quantity</c>):
/// saved as <c>{mantissa, scale, base, dim, factor}</c>; restored with the saved unit. A unit other than the
/// template's is a mismatch; under warn and ignore the loaded quantity keeps its own unit, as braintools does. An
/// array mantissa restores as an array into the template's (shape checked at <c>./q/mantissa</c>, in place for
/// <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>).
/// </summary>
internal sealed class QuantityConverter : StateDictConverter<Quantity>
{
    private static readonly string[] Keys = ["mantissa", "scale", "base", "dim"];

    /// <summary>
    /// A raw quantity map restored into a raw one (a tree template, <c>ckpt check</c>): the units must be equal, and
    /// the mantissa restores as a leaf of the tree; the unit's entries are the template's when the units are equal,
    /// else (under warn and ignore) the state's. Null when either map is not a readable quantity.
    /// </summary>
    public static StateNode? RestoreRawMap(StateMap template, StateMap state, CheckpointRestoreContext context)
    {
        if (!Quantity.TryFromStateDict(template, out Quantity? expected) || !Quantity.TryFromStateDict(state, out Quantity? actual))
        {
            return null;
        }

        bool sameUnit = CheckUnit(expected.Unit, actual.Unit, context);
        var result = new StateMap(state.Count);
        foreach (KeyValuePair<string, StateNode> item in sameUnit ? template : state)
        {
            result.Add(item.Key, item.Key == "mantissa" ? context.Restore(template["mantissa"], state, "mantissa") : item.Value);
        }

        return result;
    }

    public override StateNode Save(Quantity value, SaveContext context) => value.ToStateDict();

    public override Quantity Restore(Quantity target, StateNode state, CheckpointRestoreContext context)
    {
        if (state is not StateMap map || !Keys.All(map.ContainsKey))
        {
            return (Quantity)context.TypeMismatch(target, state, "a quantity")!;
        }

        Unit unit = Quantity.ReadUnit(map, context.Path.ToString());
        CheckUnit(target.Unit, unit, context);

        if (target.MantissaArray is { } array && (map["mantissa"] as StateValue)?.Value is NdArray)
        {
            NdArray mantissa = context.Restore(array, map, "mantissa");
            return context.IsDryRun ? target : new Quantity(mantissa, unit);
        }

        Quantity loaded = Quantity.FromStateDict(map, context.Path.ToString());
        return context.IsDryRun ? target : loaded;
    }

    private static bool CheckUnit(Unit expected, Unit actual, CheckpointRestoreContext context)
    {
        if (expected == actual)
        {
            return true;
        }

        context.Report(
            MismatchMessages.Unit(expected.ToString(), actual.ToString()),
            new CheckpointDifference(context.Path.ToString(), CheckpointDifferenceKind.Unit, expected.ToString(), actual.ToString()));
        return false;
    }
}
