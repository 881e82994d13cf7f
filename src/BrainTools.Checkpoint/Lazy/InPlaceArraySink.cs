using System.Numerics.Tensors;
using System.Reflection;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint.Lazy;

/// <summary>
/// The sink of a restore in place (<see cref="InPlaceLoad"/>): a loaded array that fits goes into the template's
/// own memory (an <see cref="NdArray"/>, a typed .NET array, a dense <c>Tensor&lt;T&gt;</c>) and the template is the
/// result. Nothing is copied during the walk: the copies are collected and run by <see cref="CopyAll"/> once every
/// check has passed, as one batch of positional reads from the file.
/// </summary>
internal sealed class InPlaceArraySink : ArraySink
{
    private static readonly MethodInfo TensorMemoryOf = typeof(InPlaceArraySink).GetMethod(nameof(TensorMemory), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly List<PendingCopy> _copies = [];
    private readonly List<Action> _afterCopies = [];

    public override NdArray Place(NdArray target, NdArray loaded, TreePath path)
    {
        if (!target.IsWritable)
        {
            // A read-only view (of another file, say) cannot be filled: it gets the loaded array, as Load would.
            return loaded;
        }

        _copies.Add(new PendingCopy(loaded, target, path.ToString()));
        return target;
    }

    public override Array Place(Array target, DType dtype, NdArray loaded, TreePath path)
    {
        _copies.Add(new PendingCopy(loaded, NdArray.FromArray(target), path.ToString()));
        return target;
    }

    public override object PlaceTensor(object target, DType dtype, NdArray loaded, TreePath path)
    {
        var memory = (NdArray?)TensorMemoryOf.MakeGenericMethod(dtype.ClrType).Invoke(null, [target]);
        if (memory is not null)
        {
            _copies.Add(new PendingCopy(loaded, memory, path.ToString()));
            return target;
        }

        // A strided tensor is not one block of memory: its values are read into a buffer of the file's layout first.
        var buffer = NdArray.Zeros(dtype, loaded.Shape);
        _copies.Add(new PendingCopy(loaded, buffer, path.ToString()));
        _afterCopies.Add(() => CopyToTensor(buffer, target));
        return target;
    }

    /// <summary>Runs every copy: reads shared by all cores, then the fills of strided tensors.</summary>
    public void CopyAll(CheckpointReader reader)
    {
        reader.CopyAllInto(_copies);
        foreach (Action fill in _afterCopies)
        {
            fill();
        }
    }

    // A dense tensor's elements are one block: an array over it receives the reads straight from the file.
    private static NdArray? TensorMemory<T>(Tensor<T> tensor)
        where T : unmanaged
    {
        if (!tensor.IsDense)
        {
            return null;
        }

        ReadOnlySpan<nint> lengths = tensor.Lengths;
        var dims = new long[lengths.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = lengths[i];
        }

        return new NdArray(DType.Of<T>(), new Shape(dims), new TensorArrayStorage<T>(tensor), 0);
    }

    private static void CopyToTensor(NdArray buffer, object target) =>
        typeof(InPlaceArraySink).GetMethod(nameof(CopyToTensorOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(buffer.DType.ClrType).Invoke(null, [buffer, target]);

    private static void CopyToTensorOf<T>(NdArray buffer, Tensor<T> target)
        where T : unmanaged => buffer.ToTensor<T>().CopyTo(target.AsTensorSpan());
}
