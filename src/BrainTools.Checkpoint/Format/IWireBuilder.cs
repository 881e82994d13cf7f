using System.Buffers;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// What <see cref="WireWalker{TBuilder, TNode, TMap}"/> makes of the values it reads: a state-dict tree for a full
/// load (<see cref="StateTreeBuilder"/>), index entries for a lazy open (<see cref="WireIndexBuilder"/>). The walker
/// reads and checks the bytes; a builder only builds, so both accept and refuse the same files with the same words.
/// </summary>
/// <typeparam name="TNode">A finished value.</typeparam>
/// <typeparam name="TMap">A map being filled.</typeparam>
internal interface IWireBuilder<TNode, TMap>
    where TNode : class
    where TMap : class
{
    /// <summary>A leaf that is not an array: a scalar, a string, bytes, a numpy scalar, a complex, an unknown ext value.</summary>
    TNode Value(StateValue value);

    /// <summary>An ndarray whose element bytes are <paramref name="data"/>, found at absolute offset <paramref name="offset"/>.</summary>
    TNode Array(DType dtype, Shape shape, ReadOnlySequence<byte> data, long offset);

    /// <summary>Starts a map that claims <paramref name="count"/> entries (already checked against the bytes left).</summary>
    TMap BeginMap(int count);

    /// <summary>Adds an entry; a key seen before keeps its first place and takes the new value, as in a Python dict.</summary>
    void Add(TMap map, string key, TNode child);

    /// <summary>Ends a map.</summary>
    TNode EndMap(TMap map);

    /// <summary>Turns a map the walker validated as a chunked array into the array (<see cref="ChunkedArrays"/>).</summary>
    TNode Chunked(TNode map, long[] dimensions, NdArray[] chunks);

    /// <summary>The child of a finished map; false when <paramref name="map"/> is not a map or lacks the key.</summary>
    bool TryGetChild(TNode map, string key, out TNode? child);

    /// <summary>How many entries a finished map has; -1 when <paramref name="node"/> is not a map.</summary>
    int MapCount(TNode node);

    /// <summary>Whether the node is a Python int that fits a <c>long</c>.</summary>
    bool TryGetInt64(TNode node, out long value);

    /// <summary>Whether the node is one ndarray ext value (not a chunked array); the array is a view or a copy of its bytes.</summary>
    bool TryGetArray(TNode node, out NdArray? array);
}
