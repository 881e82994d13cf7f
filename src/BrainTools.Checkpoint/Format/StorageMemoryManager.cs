using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Format;

/// <summary>Exposes a window (at most 2 GiB) of an <see cref="ArrayStorage"/> as <see cref="Memory{T}"/>, so a reader can walk it.</summary>
internal sealed unsafe class StorageMemoryManager : MemoryManager<byte>
{
    private readonly ArrayStorage _storage;
    private readonly long _offset;
    private readonly int _length;

    public StorageMemoryManager(ArrayStorage storage, long offset, int length)
    {
        _storage = storage;
        _offset = offset;
        _length = length;
    }

    public override Span<byte> GetSpan() => MemoryMarshal.CreateSpan(ref Unsafe.Add(ref _storage.GetReference(), (nint)_offset), _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if (_storage is NativeArrayStorage native)
        {
            return new MemoryHandle(native.Pointer + _offset + elementIndex, default, this);
        }

        if (_storage is MappedArrayStorage mapped)
        {
            return new MemoryHandle(mapped.Pointer + _offset + elementIndex, default, this);
        }

        GCHandle handle = GCHandle.Alloc(((ManagedArrayStorage)_storage).Array, GCHandleType.Pinned);
        return new MemoryHandle(Unsafe.AsPointer(ref Unsafe.Add(ref _storage.GetReference(), (nint)(_offset + elementIndex))), handle, this);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
