using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Benchmarks.Harness;

/// <summary>A buffer of any size in native memory, touched on creation so that timing it measures no page faults.</summary>
public sealed unsafe class NativeBuffer : IDisposable
{
    private const int Window = 1 << 30;
    private byte* _pointer;

    /// <summary>Allocates <paramref name="length"/> bytes, touched (ready) unless <paramref name="touch"/> is false (fresh).</summary>
    public NativeBuffer(long length, bool touch = true)
    {
        Length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
        if (touch)
        {
            NativeMemory.Fill(_pointer, (nuint)length, 1);
        }
    }

    /// <summary>The buffer's length.</summary>
    public long Length { get; }

    /// <summary>Fills the buffer with a file's content, read in windows of 1 GiB from one thread.</summary>
    public void ReadFrom(SafeFileHandle handle)
    {
        for (long offset = 0; offset < Length;)
        {
            int read = RandomAccess.Read(handle, Span(offset, (int)Math.Min(Window, Length - offset)), offset);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            offset += read;
        }
    }

    /// <summary>Writes the buffer to a stream in writes of <paramref name="piece"/> bytes (1 GiB by default).</summary>
    public void WriteTo(Stream stream, int piece = Window)
    {
        for (long offset = 0; offset < Length; offset += piece)
        {
            stream.Write(Span(offset, (int)Math.Min(piece, Length - offset)));
        }
    }

    /// <summary>The sum of the first <paramref name="count"/> bytes read as float32 (reads every byte).</summary>
    public float SumFloats(int count) => System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(_pointer, count / sizeof(float)));

    /// <summary>A window of the buffer.</summary>
    public Span<byte> Span(long offset, int length) => new(_pointer + offset, length);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
