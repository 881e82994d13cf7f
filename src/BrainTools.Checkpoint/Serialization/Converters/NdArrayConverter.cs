namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// <see cref="NdArray"/>: saved as itself (shared, not copied); restored when the shape matches, the loaded array
/// with its own dtype taking the template's place as in braintools (or, in place, its values going into the
/// template's memory: the sink decides). A numpy scalar fills a 0-d template.
/// </summary>
internal sealed class NdArrayConverter : StateDictConverter<NdArray>
{
    public static NdArrayConverter Instance { get; } = new();

    public override StateNode Save(NdArray value, SaveContext context) => new StateValue(value);

    public override NdArray Restore(NdArray target, StateNode state, CheckpointRestoreContext context)
    {
        if (target.Rank == 0 && (state as StateValue)?.Value is NumpyScalar scalar)
        {
            return context.IsDryRun ? target : scalar.ToNdArray();
        }

        return ArrayLeaf.Loaded(target, target.DType, target.Shape, state, context) is { } loaded
            ? context.Run.Sink.Place(target, loaded, context.Path)
            : target;
    }

    public override object? RestoreWithoutTarget(StateNode state, Type declared, CheckpointRestoreContext context) =>
        ArrayLeaf.OfNullSlot(state) ?? context.TypeMismatch(null, state, "an ndarray");
}
