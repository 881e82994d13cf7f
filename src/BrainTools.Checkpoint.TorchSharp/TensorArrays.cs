using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// Tensors as <see cref="NdArray"/>s and back: views of a tensor's CPU memory where the layouts agree, and the
/// minimum of copies where they do not.
/// </summary>
/// <remarks>
/// <para>Copies, and when they happen:</para>
/// <list type="bullet">
/// <item>A contiguous CPU tensor of a <see cref="TorchDTypes"/> type is viewed in place, whatever its size (past
/// 2 GiB too): a save writes straight from its memory, a load in place reads straight into it.</item>
/// <item>A non-contiguous tensor (a transpose, a slice with steps) is made contiguous first: one copy on save; on
/// load, the loaded values go into a contiguous temporary and then through <c>Tensor.copy_</c> into the tensor.</item>
/// <item>A tensor on another device (CUDA, MPS) goes through host memory: one copy to the CPU on save, one copy to
/// the device on load.</item>
/// <item>A new tensor from a loaded array (<see cref="ToTensor"/>) is one copy: TorchSharp 0.107 can share only a
/// typed .NET array with a tensor (<c>torch.frombuffer</c>), while a loaded checkpoint is one buffer under all its
/// arrays, so its memory is copied into a fresh tensor.</item>
/// </list>
/// </remarks>
public static class TensorArrays
{
    /// <summary>
    /// A view of the tensor's memory: an array that shares it, so that changes through either are seen by both.
    /// The array keeps the tensor object alive; disposing the tensor first leaves the view dangling.
    /// </summary>
    /// <param name="tensor">A contiguous tensor on the CPU.</param>
    /// <exception cref="ArgumentException">The tensor is not contiguous or not on the CPU (use <see cref="ToNdArray"/>).</exception>
    /// <exception cref="CheckpointException">The tensor's type has no numpy dtype (the quantized types).</exception>
    public static NdArray AsNdArray(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!IsViewable(tensor))
        {
            throw new ArgumentException($"Only a contiguous CPU tensor can be viewed; this one is {Describe(tensor)}.", nameof(tensor));
        }

        return View(tensor, writable: true);
    }

    /// <summary>
    /// The tensor as an array for saving: a view of its memory when it is contiguous and on the CPU, else a
    /// contiguous CPU copy (the array owns it).
    /// </summary>
    /// <exception cref="CheckpointException">The tensor's type has no numpy dtype (the quantized types).</exception>
    public static NdArray ToNdArray(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (IsViewable(tensor))
        {
            return View(tensor, writable: true);
        }

        return View(HostCopy(tensor), writable: true);
    }

    /// <summary>A new CPU tensor holding a copy of the array's elements, with the array's dtype and shape.</summary>
    /// <exception cref="CheckpointException">TorchSharp has no tensor type for the array's dtype (uint16, uint32, uint64, float8).</exception>
    public static Tensor ToTensor(NdArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        ScalarType type = TorchDTypes.ToScalarType(array.DType);
        Tensor tensor = empty(array.Shape.Dimensions.ToArray(), type);
        CopyBytes(array, DataAddress(tensor));
        return tensor;
    }

    /// <summary>
    /// Copies the array's elements into an existing tensor of the same shape, converted to the tensor's dtype as
    /// numpy's <c>astype</c> would; the tensor may be non-contiguous or on another device.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void CopyInto(NdArray source, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (!source.Shape.Dimensions.SequenceEqual(destination.shape))
        {
            throw new ArgumentException($"An array of shape {source.Shape} does not fit a tensor of shape {new Shape(destination.shape)}.", nameof(source));
        }

        DType dtype = TorchDTypes.ToDType(destination.dtype);
        NdArray converted = source.DType == dtype ? source : source.AsType(dtype, copy: false);
        if (IsViewable(destination))
        {
            CopyBytes(converted, DataAddress(destination));
            GC.KeepAlive(destination);
            return;
        }

        using Tensor staged = ToTensor(converted);
        using (no_grad())
        {
            destination.copy_(staged);
        }
    }

    /// <summary>Whether the tensor's memory can be viewed as an array: contiguous and on the CPU.</summary>
    internal static bool IsViewable(Tensor tensor) => tensor.device_type == DeviceType.CPU && tensor.is_contiguous();

    /// <summary>A view of a viewable tensor (contiguous, CPU); <paramref name="writable"/> false makes loads hand back new arrays.</summary>
    internal static NdArray View(Tensor tensor, bool writable) =>
        NdArray.FromNativeMemory(TorchDTypes.ToDType(tensor.dtype), new Shape(tensor.shape), DataAddress(tensor), tensor, writable);

    /// <summary>A contiguous CPU copy, out of any dispose scope so that only the array that holds it decides when it goes.</summary>
    internal static Tensor HostCopy(Tensor tensor)
    {
        using Tensor host = tensor.cpu();
        return host.contiguous().DetachFromDisposeScope();
    }

    internal static string Describe(Tensor tensor) =>
        $"{tensor.dtype} {new Shape(tensor.shape)} on {tensor.device_type}{(tensor.is_contiguous() ? "" : ", not contiguous")}";

    // The address of the first element. Tensor.bytes is a Span, limited to 2 GiB; a one-element view of the start
    // gives the same address for a tensor of any size.
    private static unsafe nint DataAddress(Tensor tensor)
    {
        if (tensor.numel() == 0)
        {
            return 0;
        }

        using Tensor flat = tensor.reshape(-1);
        using Tensor first = flat.narrow(0, 0, 1);
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(first.bytes));
    }

    // Windows of 1 GiB, so arrays past 2 GiB copy too.
    private static unsafe void CopyBytes(NdArray source, nint destination)
    {
        const int Window = 1 << 30;
        for (long offset = 0; offset < source.ByteLength; offset += Window)
        {
            int length = (int)Math.Min(Window, source.ByteLength - offset);
            source.GetBytes(offset, length).CopyTo(new Span<byte>((byte*)destination + offset, length));
        }
    }
}
