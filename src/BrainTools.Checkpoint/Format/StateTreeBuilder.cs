using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Format;

/// <summary>Builds the state-dict tree of a full load from what <see cref="WireWalker{TBuilder, TNode, TMap}"/> reads.</summary>
/// <remarks>
/// When the data lives in an <see cref="ArrayStorage"/> (the file read into memory, offset 0 = the file's start),
/// arrays are views of it and chunked arrays are joined in place; otherwise each array is copied once.
/// </remarks>
internal readonly struct StateTreeBuilder : IWireBuilder<StateNode, StateMap>
{
    private readonly ArrayStorage? _storage;

    /// <param name="storage">The memory the data is, for views; null to copy every array.</param>
    public StateTreeBuilder(ArrayStorage? storage)
    {
        _storage = storage;
    }

    public StateNode Value(StateValue value) => value;

    public StateNode Array(DType dtype, Shape shape, ReadOnlySequence<byte> data, long offset)
    {
        if (_storage is not null)
        {
            return new StateValue(new NdArray(dtype, shape, _storage, offset));
        }

        ArrayStorage storage = NdArray.Allocate(data.Length, zero: false);
        long at = 0;
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            segment.Span.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref storage.GetReference(), (nint)at), segment.Length));
            at += segment.Length;
        }

        return new StateValue(new NdArray(dtype, shape, storage, 0));
    }

    public StateMap BeginMap(int count) => new(Math.Min(count, 1024));

    public void Add(StateMap map, string key, StateNode child) => map.Set(key, child);

    public StateNode EndMap(StateMap map) => map;

    public StateNode Chunked(StateNode map, long[] dimensions, NdArray[] chunks) => new StateValue(ChunkedArrays.Join(_storage, dimensions, chunks));

    public bool TryGetChild(StateNode map, string key, out StateNode? child)
    {
        child = null;
        return map is StateMap m && m.TryGetValue(key, out child);
    }

    public int MapCount(StateNode node) => node is StateMap map ? map.Count : -1;

    public bool TryGetInt64(StateNode node, out long value)
    {
        if (node is StateValue { Value: long v })
        {
            value = v;
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryGetArray(StateNode node, out NdArray? array)
    {
        array = (node as StateValue)?.Value as NdArray;
        return array is not null;
    }
}
