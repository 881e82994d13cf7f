using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Lazy;

/// <summary>The elements of a dense <c>Tensor&lt;T&gt;</c> as array memory, so a restore in place reads into the tensor itself.</summary>
internal sealed class TensorArrayStorage<T> : ArrayStorage
    where T : unmanaged
{
    private readonly Tensor<T> _tensor;

    public TensorArrayStorage(Tensor<T> tensor)
    {
        _tensor = tensor;
        ByteLength = checked(tensor.FlattenedLength * Unsafe.SizeOf<T>());
    }

    public override long ByteLength { get; }

    // The tensor holds its managed array; this object holds the tensor while the reference is used.
    public override ref byte GetReference() => ref Unsafe.As<T, byte>(ref _tensor.GetPinnableReference());
}
