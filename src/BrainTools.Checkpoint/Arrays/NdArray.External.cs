namespace BrainTools.Checkpoint;

public sealed partial class NdArray
{
    /// <summary>
    /// Wraps native memory that something else owns, without copying it: for example the CPU storage of a TorchSharp
    /// tensor, so that a save writes straight from it and <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/> reads straight into it.
    /// </summary>
    /// <param name="dtype">The element type of the memory.</param>
    /// <param name="shape">The dimensions; the memory holds <c>shape.ElementCount * dtype.ItemSize</c> bytes, contiguous, little-endian, C order.</param>
    /// <param name="address">The first byte. May be zero only when the shape has no elements.</param>
    /// <param name="owner">
    /// The object whose lifetime bounds the memory's (the tensor). The array, and every view of it, keeps a reference
    /// to it, so the memory stays valid while the array is reachable unless the owner is disposed explicitly.
    /// </param>
    /// <param name="writable">Whether loads may write into the memory (<see cref="IsWritable"/>).</param>
    /// <returns>An array that shares the memory: changes through either side are seen by the other.</returns>
    /// <remarks>
    /// The caller guarantees that the memory stays allocated and is not moved while the array is used; disposing the
    /// owner (or anything that reallocates its memory) first leaves the array dangling, as with any pointer. The array
    /// may exceed 2 GiB.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dtype"/> is null, or <paramref name="address"/> is zero for a non-empty shape.</exception>
    public static unsafe NdArray FromNativeMemory(DType dtype, Shape shape, nint address, object? owner, bool writable = true)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        long byteLength = checked(shape.ElementCount * dtype.ItemSize);
        if (address == 0 && byteLength > 0)
        {
            throw new ArgumentNullException(nameof(address), "A non-empty array needs an address.");
        }

        return new NdArray(dtype, shape, new ExternalArrayStorage((byte*)address, byteLength, owner, writable), 0);
    }
}
