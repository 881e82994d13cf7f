namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A numeric .NET array of any rank (<c>float[]</c>, <c>double[,]</c>): saved as an ndarray over the array's own
/// memory; restored when the shape matches, converted to the element type as numpy's <c>astype</c> would.
/// </summary>
internal sealed class TypedArrayConverter(DType dtype) : StateDictConverter
{
    public override StateNode Save(object value, SaveContext context) => new StateValue(NdArray.FromArray((Array)value));

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        var array = (Array)target;
        var dims = new long[array.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = array.GetLongLength(i);
        }

        return ArrayLeaf.Loaded(target, dtype, new Shape(dims), state, context) is { } loaded
            ? context.Run.Sink.Place(array, dtype, loaded, context.Path)
            : target;
    }

    public override object? RestoreWithoutTarget(StateNode state, Type declared, CheckpointRestoreContext context)
    {
        int rank = declared.GetArrayRank();
        if (ArrayLeaf.OfNullSlot(state) is not { } loaded || loaded.Rank != rank)
        {
            return context.TypeMismatch(null, state, $"an ndarray of rank {rank}");
        }

        return context.IsDryRun ? null : loaded.AsType(dtype, copy: false).ToArray();
    }
}
