using System.Numerics.Tensors;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// The sink of an ordinary restore (braintools' behaviour): the loaded array replaces an <see cref="NdArray"/>
/// template with its own dtype; typed arrays and tensors get new ones converted to their element type.
/// </summary>
internal sealed class NewArraySink : ArraySink
{
    public static NewArraySink Instance { get; } = new();

    public override NdArray Place(NdArray target, NdArray loaded, TreePath path) => loaded;

    public override Array Place(Array target, DType dtype, NdArray loaded, TreePath path) => loaded.AsType(dtype, copy: false).ToArray();

    public override object PlaceTensor(object target, DType dtype, NdArray loaded, TreePath path) => ToTensor(loaded.AsType(dtype, copy: false));

    /// <summary>A new <c>Tensor&lt;T&gt;</c> of the array's element type.</summary>
    public static object ToTensor(NdArray array) =>
        typeof(NdArray).GetMethod(nameof(NdArray.ToTensor))!.MakeGenericMethod(array.DType.ClrType).Invoke(array, null)!;
}
