namespace BrainTools.Checkpoint.Serialization;

/// <summary>The sink of a dry run: nothing is read or converted, the template keeps its arrays.</summary>
internal sealed class DryRunArraySink : ArraySink
{
    public static DryRunArraySink Instance { get; } = new();

    public override NdArray Place(NdArray target, NdArray loaded, TreePath path) => target;

    public override Array Place(Array target, DType dtype, NdArray loaded, TreePath path) => target;

    public override object PlaceTensor(object target, DType dtype, NdArray loaded, TreePath path) => target;
}
