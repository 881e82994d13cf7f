namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Where a restore puts a loaded array whose shape fits the template: the one difference between a load that
/// returns new arrays (<see cref="NewArraySink"/>), a load into the template's own memory (the lazy reader's sink)
/// and a dry run (<see cref="DryRunArraySink"/>). Converters check shapes and kinds; sinks only place the values.
/// </summary>
internal abstract class ArraySink
{
    /// <summary>An <see cref="NdArray"/> template: returns what takes its place.</summary>
    public abstract NdArray Place(NdArray target, NdArray loaded, TreePath path);

    /// <summary>A typed .NET array (<c>float[,]</c>) of element type <paramref name="dtype"/>: returns what takes its place.</summary>
    public abstract Array Place(Array target, DType dtype, NdArray loaded, TreePath path);

    /// <summary>A <c>Tensor&lt;T&gt;</c> of element type <paramref name="dtype"/>: returns what takes its place.</summary>
    public abstract object PlaceTensor(object target, DType dtype, NdArray loaded, TreePath path);
}
