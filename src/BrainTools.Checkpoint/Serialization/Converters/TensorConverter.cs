using System.Numerics.Tensors;
using System.Reflection;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// <c>Tensor&lt;T&gt;</c> of a numeric <c>T</c>: saved as an ndarray (a copy of its elements in C order); restored
/// when the shape matches, converted to <c>T</c> as numpy's <c>astype</c> would.
/// </summary>
internal sealed class TensorConverter : StateDictConverter
{
    private readonly Type _elementType;
    private readonly DType? _dtype;
    private readonly MethodInfo? _fromTensor;

    public TensorConverter(Type elementType)
    {
        _elementType = elementType;
        _dtype = DType.TryFromClrType(elementType, out DType? dtype) ? dtype : null;
        _fromTensor = _dtype is null ? null : typeof(NdArray).GetMethod(nameof(NdArray.FromTensor))!.MakeGenericMethod(elementType);
    }

    public override StateNode Save(object value, SaveContext context)
    {
        RequireElementType(context.Path);
        return new StateValue((NdArray)_fromTensor!.Invoke(null, [value])!);
    }

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        DType dtype = RequireElementType(context.Path);
        ReadOnlySpan<nint> lengths = ((IReadOnlyTensor)target).Lengths;
        var dims = new long[lengths.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = lengths[i];
        }

        return ArrayLeaf.Loaded(target, dtype, new Shape(dims), state, context) is { } loaded
            ? context.Run.Sink.PlaceTensor(target, dtype, loaded, context.Path)
            : target;
    }

    public override object? RestoreWithoutTarget(StateNode state, Type declared, CheckpointRestoreContext context)
    {
        DType dtype = RequireElementType(context.Path);
        if (ArrayLeaf.OfNullSlot(state) is not { } loaded)
        {
            return context.TypeMismatch(null, state, "an ndarray");
        }

        return context.IsDryRun ? null : NewArraySink.ToTensor(loaded.AsType(dtype, copy: false));
    }

    private DType RequireElementType(TreePath path) => _dtype
        ?? throw new CheckpointException($"Cannot save or restore a Tensor<{_elementType.Name}> at path {path}: {_elementType.Name} is not an array element type.", null, path.ToString());
}
