using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Tests.Arrays;

public sealed unsafe class NativeMemoryArrayTests
{
    [Fact]
    public void FromNativeMemory_SaveThenLoadInto_WritesFromAndReadsIntoTheSameMemory()
    {
        using var dir = new TempDirectory();
        using var memory = new OwnedBuffer(6 * sizeof(float));
        var values = new Span<float>((void*)memory.Address, 6);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i + 0.5f;
        }

        NdArray view = NdArray.FromNativeMemory(DType.Float32, new Shape(2, 3), memory.Address, memory);
        string path = dir.File("native.msgpack");
        Msgpack.Save(path, new Dictionary<string, object> { ["w"] = view });

        Assert.Equal(new float[] { 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f }, ((NdArray)Msgpack.Load(path)["w"]).AsSpan<float>().ToArray());

        values.Clear();
        var restored = Msgpack.LoadInto(path, new Dictionary<string, object> { ["w"] = view });

        Assert.Same(view, restored["w"]);
        Assert.Equal(new float[] { 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f }, values.ToArray());
    }

    [Fact]
    public void FromNativeMemory_ReadOnly_IsNotWritable()
    {
        using var memory = new OwnedBuffer(8);

        NdArray view = NdArray.FromNativeMemory(DType.Int32, new Shape(2), memory.Address, memory, writable: false);

        Assert.False(view.IsWritable);
    }

    [Fact]
    public void FromNativeMemory_ZeroAddressForElements_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => NdArray.FromNativeMemory(DType.Float32, new Shape(1), 0, owner: null));
    }

    [Fact]
    public void FromNativeMemory_ArrayAlive_KeepsOwnerAlive()
    {
        (NdArray view, WeakReference owner) = MakeView();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.True(owner.IsAlive);
        Assert.Equal(4, view.Length);
        GC.KeepAlive(view);
    }

    private static (NdArray View, WeakReference Owner) MakeView()
    {
        var buffer = new OwnedBuffer(16);
        return (NdArray.FromNativeMemory(DType.Float32, new Shape(4), buffer.Address, buffer), new WeakReference(buffer));
    }

    // Stands in for a tensor: native memory freed by its finalizer.
    private sealed class OwnedBuffer(int bytes) : IDisposable
    {
        public nint Address { get; private set; } = (nint)NativeMemory.AllocZeroed((nuint)bytes);

        ~OwnedBuffer() => Free();

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        private void Free()
        {
            if (Address != 0)
            {
                NativeMemory.Free((void*)Address);
                Address = 0;
            }
        }
    }
}
