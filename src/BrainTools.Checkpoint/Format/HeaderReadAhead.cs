using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The read-ahead of a lazy open's index pass: where the strides between headers repeat
/// (<see cref="HeaderStridePredictor"/>), the windows of the next headers are read together, in one system call
/// (<see cref="IoUringReader"/>), and <see cref="WireWindow"/> takes a window from them only when its offset and
/// length are exactly those it would read.
/// </summary>
/// <remarks>
/// New reads are submitted when the walk has used up half of those in the ring, or met a window the ring did not
/// hold (the guess was wrong: guesses no longer asked for are dropped). A submission of which no read completed
/// (pages not cached, a kernel without the read operation) ends the read-ahead for this walk: guesses would cost a
/// call each and save none.
/// </remarks>
internal sealed class HeaderReadAhead : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private readonly long[] _positions = new long[IoUringReader.Depth];
    private readonly long[] _offsets = new long[IoUringReader.Depth];
    private readonly int[] _lengths = new int[IoUringReader.Depth];
    private HeaderStridePredictor _strides = new();
    private IoUringReader? _ring;
    private bool _off;
    private bool _lastTaken;
    private long _bytesReturned;

    /// <param name="handle">The file, open for reading; it must stay open until <see cref="Dispose"/>.</param>
    /// <param name="length">The file's length.</param>
    /// <param name="enabled">Whether to read ahead at all.</param>
    public HeaderReadAhead(SafeFileHandle handle, long length, bool enabled)
    {
        _handle = handle;
        _length = length;
        _off = !enabled;
    }

    /// <summary>How many windows were taken from reads made ahead.</summary>
    public int WindowsTaken { get; private set; }

    /// <summary>Bytes read ahead, taken or not.</summary>
    public long BytesRead => _bytesReturned + (_ring?.BytesRead ?? 0);

    /// <summary>Copies the window of exactly <paramref name="destination"/>'s length at <paramref name="start"/> if it was read ahead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryTake(long start, Span<byte> destination)
    {
        _lastTaken = _ring is not null && _ring.TryTake(start, destination);
        WindowsTaken += _lastTaken ? 1 : 0;
        return _lastTaken;
    }

    /// <summary>
    /// After the window of the header at <paramref name="position"/> (past a skipped payload) was filled from
    /// <paramref name="start"/>: notes the stride, and reads the next predicted windows when the last batch is used up
    /// or was wrong.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AfterHeader(long position, long start)
    {
        _strides.Observe(position);

        // Half a ring of reads still ahead: the next call can wait until the walk has used them up, so each call
        // submits half a ring's worth.
        if (_off || (_lastTaken && _ring!.CountReadsAfter(start) > IoUringReader.Depth / 2))
        {
            return;
        }

        int count = _strides.Predict(_positions, _length);
        if (count == 0)
        {
            return;
        }

        if (_ring is null)
        {
            _ring = IoUringReader.TryRent(WireWindow.HeaderWindow);
            if (_ring is null)
            {
                _off = true;
                return;
            }
        }

        for (int i = 0; i < count; i++)
        {
            _offsets[i] = WireWindow.HeaderWindowStart(_positions[i]);
            _lengths[i] = (int)Math.Min(WireWindow.HeaderWindow, _length - _offsets[i]);
        }

        _ring.Submit(_handle, _offsets.AsSpan(0, count), _lengths.AsSpan(0, count));
        _off = _ring.CountReadsAfter(start) == 0;
    }

    /// <summary>Waits for reads in flight and gives the ring back.</summary>
    public void Dispose()
    {
        if (_ring is not null)
        {
            _bytesReturned += _ring.Return();
            _ring = null;
        }

        _off = true;
    }
}
