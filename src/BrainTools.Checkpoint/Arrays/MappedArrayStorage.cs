using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint;

/// <summary>
/// A file mapped into memory: arrays over it are views of the file's pages, which the OS reads on first touch
/// and may drop again under memory pressure. Read-only, or copy-on-write (writes stay private to this process
/// and never reach the file).
/// </summary>
/// <remarks>
/// The mapping lives until <see cref="Dispose"/> or, when never disposed, until the finalizer runs once no array
/// refers to it. Reads go through <see cref="Acquire"/>/<see cref="Release"/> so that a dispose racing a read waits
/// for the read instead of unmapping under it. A file replaced by an atomic save (rename) keeps its old
/// content in the mapping.
/// </remarks>
internal sealed unsafe class MappedArrayStorage : ArrayStorage, IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _handle;
    private readonly bool _writable;
    private nint _address;

    private MappedArrayStorage(MemoryMappedFile file, MemoryMappedViewAccessor view, long byteLength, bool writable)
    {
        _file = file;
        _view = view;
        _handle = view.SafeMemoryMappedViewHandle;
        _writable = writable;
        ByteLength = byteLength;
        byte* pointer = null;
        _handle.AcquirePointer(ref pointer);
        _address = (nint)(pointer + view.PointerOffset);
    }

    ~MappedArrayStorage() => Free();

    public override long ByteLength { get; }

    public override bool IsWritable => _writable;

    /// <summary>The first byte of the file in memory.</summary>
    public byte* Pointer => (byte*)_address;

    /// <summary>Maps the first <paramref name="length"/> bytes (> 0) of an open file.</summary>
    /// <param name="handle">The file, opened for reading; it may be closed once this returns.</param>
    /// <param name="length">How many bytes to map: the file's length.</param>
    /// <param name="copyOnWrite">Whether arrays over the mapping may be written (privately); otherwise read-only.</param>
    public static MappedArrayStorage Map(SafeFileHandle handle, long length, bool copyOnWrite)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        MemoryMappedFileAccess access = copyOnWrite ? MemoryMappedFileAccess.CopyOnWrite : MemoryMappedFileAccess.Read;
        MemoryMappedFile file = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        try
        {
            MemoryMappedViewAccessor view = file.CreateViewAccessor(0, length, access);
            return new MappedArrayStorage(file, view, length, copyOnWrite);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override ref byte GetReference()
    {
        // Read the address once: a Dispose on another thread may zero it between a check and a second read,
        // which would hand out a reference to address 0.
        nint address = Volatile.Read(ref _address);
        ObjectDisposedException.ThrowIf(address == 0, this);
        return ref *(byte*)address;
    }

    /// <summary>Keeps the mapping alive until <see cref="Release"/>, even across a <see cref="Dispose"/> on another thread.</summary>
    /// <exception cref="ObjectDisposedException">The mapping is already disposed.</exception>
    public void Acquire()
    {
        bool added = false;
        _handle.DangerousAddRef(ref added);
        if (Volatile.Read(ref _address) == 0)
        {
            _handle.DangerousRelease();
            throw new ObjectDisposedException(nameof(MappedArrayStorage));
        }
    }

    /// <summary>Ends what <see cref="Acquire"/> began.</summary>
    public void Release() => _handle.DangerousRelease();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (Interlocked.Exchange(ref _address, 0) == 0)
        {
            return;
        }

        // The view is unmapped when the last Acquire is released, not before.
        _handle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
