using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

public sealed partial class NdArray
{
    /// <summary>Creates an array from a copy of a tensor's elements (C order), with the tensor's shape.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an element type.</exception>
    public static NdArray FromTensor<T>(Tensor<T> tensor)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ReadOnlySpan<nint> lengths = tensor.Lengths;
        var dims = new long[lengths.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = lengths[i];
        }

        var shape = new Shape(dims);
        DType dtype = DType.Of<T>();
        ArrayStorage storage = Allocate(checked(shape.ElementCount * dtype.ItemSize), zero: false);
        long count = shape.ElementCount;
        if (count > int.MaxValue)
        {
            throw new NotSupportedException("Tensors of more than 2^31 elements are not supported.");
        }

        tensor.FlattenTo(MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref storage.GetReference()), (int)count));
        return new NdArray(dtype, shape, storage, 0);
    }

    /// <summary>A copy of the elements as a flat .NET array; <typeparamref name="T"/> must be the dtype's element type.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not <see cref="DType.ClrType"/>.</exception>
    /// <exception cref="NotSupportedException">The array has more elements than a .NET array can hold (<see cref="Array.MaxLength"/>).</exception>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        CheckElementType(typeof(T));
        CheckNetArrayLimits();
        T[] result = GC.AllocateUninitializedArray<T>((int)Length);
        CopyBytes(this, new ManagedArrayStorage(result, ByteLength), 0);
        return result;
    }

    /// <summary>
    /// A copy of the elements as a .NET array of the dtype's element type and of the array's rank:
    /// <c>float[,]</c> for a 2-d float32 array. A 0-d array gives a one-element 1-d array.
    /// </summary>
    /// <exception cref="NotSupportedException">A dimension, or the element count, is past what a .NET array can hold (<see cref="Array.MaxLength"/>).</exception>
    public Array ToArray()
    {
        CheckNetArrayLimits();
        var lengths = new long[Math.Max(Rank, 1)];
        if (Rank == 0)
        {
            lengths[0] = 1;
        }
        else
        {
            Shape.Dimensions.CopyTo(lengths);
        }

        Array result = Array.CreateInstance(DType.ClrType, lengths);
        CopyBytes(this, new ManagedArrayStorage(result, ByteLength), 0);
        return result;
    }

    /// <summary>A copy of the elements as a tensor of the array's shape; <typeparamref name="T"/> must be the dtype's element type.</summary>
    /// <exception cref="NotSupportedException">The array has more elements than a .NET array can hold (<see cref="Array.MaxLength"/>).</exception>
    public Tensor<T> ToTensor<T>()
        where T : unmanaged
    {
        T[] values = ToArray<T>();
        var lengths = new nint[Rank];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = checked((nint)Shape[i]);
        }

        return Tensor.Create(values, lengths);
    }

    /// <summary>The element at a flat (C-order) index, as its dtype's element type.</summary>
    public T GetFlat<T>(long index)
        where T : unmanaged
    {
        CheckElementType(typeof(T));
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        return Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref _storage.GetReference(), (nint)(_byteOffset + (index * DType.ItemSize))));
    }

    /// <summary>The element at an n-d index, as its dtype's element type.</summary>
    public T GetItem<T>(params ReadOnlySpan<long> index)
        where T : unmanaged
    {
        if (index.Length != Rank)
        {
            throw new ArgumentException($"An index of {index.Length} numbers does not address an array of rank {Rank}.", nameof(index));
        }

        long flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index[i]);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index[i], Shape[i]);
            flat = (flat * Shape[i]) + index[i];
        }

        return GetFlat<T>(flat);
    }

    // numpy holds shapes that .NET arrays cannot: (2147483648, 0) has no elements but a dimension past what an array
    // dimension may be. Such an array loads, saves and converts as an NdArray; only a copy into a .NET array is refused.
    private void CheckNetArrayLimits()
    {
        foreach (long d in Shape.Dimensions)
        {
            if (d > Array.MaxLength)
            {
                throw new NotSupportedException($"An array of shape {Shape} cannot be copied into a .NET array: its dimension {d} is over {Array.MaxLength}, the most a .NET array dimension can hold (Array.MaxLength).");
            }
        }

        if (Length > Array.MaxLength)
        {
            throw new NotSupportedException($"An array of shape {Shape} cannot be copied into a .NET array: its {Length} elements are more than the {Array.MaxLength} a .NET array can hold (Array.MaxLength).");
        }
    }

    private void CheckElementType(Type type)
    {
        if (type != DType.ClrType)
        {
            throw new InvalidOperationException($"The array holds {DType} ({DType.ClrType.Name}), not {type.Name}; convert it with AsType first.");
        }
    }
}
