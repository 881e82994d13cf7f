namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>The checks every array template shares (<see cref="NdArray"/>, typed arrays, tensors): the state must be an ndarray of the template's shape.</summary>
internal static class ArrayLeaf
{
    /// <summary>
    /// The saved array when it has <paramref name="shape"/>; otherwise the mismatch is reported and null returned
    /// (the target is kept). A dry run also lists another dtype, which a restore converts or keeps.
    /// </summary>
    public static NdArray? Loaded(object target, DType dtype, Shape shape, StateNode state, CheckpointRestoreContext context)
    {
        if ((state as StateValue)?.Value is not NdArray loaded)
        {
            context.TypeMismatch(target, state, $"an ndarray ({dtype}, shape {shape})");
            return null;
        }

        bool fits = loaded.Shape == shape;
        if (!fits)
        {
            context.Report(
                MismatchMessages.ArrayShape(shape, loaded.Shape),
                new CheckpointDifference(context.Path.ToString(), CheckpointDifferenceKind.Shape, shape.ToString(), loaded.Shape.ToString()));
        }

        if (loaded.DType != dtype)
        {
            context.Difference(new CheckpointDifference(context.Path.ToString(), CheckpointDifferenceKind.DType, dtype.Name, loaded.DType.Name));
        }

        return fits ? loaded : null;
    }

    /// <summary>The loaded array of a null slot declared as an array type: an ndarray, or a numpy scalar as a 0-d array.</summary>
    public static NdArray? OfNullSlot(StateNode state) => (state as StateValue)?.Value switch
    {
        NdArray array => array,
        NumpyScalar scalar => scalar.ToNdArray(),
        _ => null,
    };
}
