using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BrainTools.Checkpoint.Format;


namespace BrainTools.Checkpoint;

/// <summary>
/// One node of an opened checkpoint's index (<see cref="CheckpointReader.Root"/>): a map with its children, an
/// array with its dtype, shape and where its bytes are in the file, or another leaf. Knowing an entry costs
/// nothing: its array payload has not been read.
/// </summary>
/// <remarks>Immutable and thread-safe; stays valid after the reader is disposed.</remarks>
public sealed class CheckpointEntry
{
    // Maps up to this size find a child by a scan of their children: cheaper to build than a dictionary, which
    // matters when an index has thousands of small maps (one per layer).
    internal const int ScanLimit = 8;
    private static readonly CheckpointEntry[] NoChildren = [];
    private readonly CheckpointEntry[] _children;
    private readonly Dictionary<string, int>? _byKey;

    // Set by the parent as it is made (children come first); read by Path.
    private CheckpointEntry? _parent;
    private string? _path;

    // A leaf: a scalar, string or small ext value, or a chunked array (its map, validated).
    private CheckpointEntry(string key, StateNode node)
    {
        Key = key;
        _children = NoChildren;
        ByteOffset = -1;
        switch (node)
        {
            case StateMap map when map.ContainsKey(ExtensionTypeCodes.ChunkedArrayMarker):
                // Validated by the index pass: shape and chunks "0".."n-1" are there and agree.
                Node = map;
                var chunks = (StateMap)map["chunks"];
                Chunks = new NdArray[chunks.Count];
                for (int i = 0; i < Chunks.Length; i++)
                {
                    Chunks[i] = chunks[i.ToString(CultureInfo.InvariantCulture)].AsArray();
                }

                var shapeMap = (StateMap)map["shape"];
                var dims = new long[shapeMap.Count];
                for (int i = 0; i < dims.Length; i++)
                {
                    dims[i] = (long)shapeMap[i];
                }

                Kind = StateNodeKind.NdArray;
                DType = Chunks[0].DType;
                Shape = new Shape(dims);
                ByteLength = Shape.ElementCount * DType.ItemSize;
                break;
            case StateMap:
                throw new ArgumentException("A map entry is made from its children.", nameof(node));
            case StateValue { Value: NdArray }:
                throw new ArgumentException("An array entry is made from its array.", nameof(node));
            default:
                Node = node;
                Kind = node.Kind;
                break;
        }
    }

    // An array: a view of the mapped file, whose offsets are file offsets.
    private CheckpointEntry(string key, NdArray array)
    {
        Key = key;
        _children = NoChildren;
        Kind = StateNodeKind.NdArray;
        DType = array.DType;
        Shape = array.Shape;
        ByteLength = array.ByteLength;
        ByteOffset = array.ByteOffset;
        Chunks = [array];
    }

    // A map: its children in file order, and for a large map where each key is among them.
    private CheckpointEntry(string key, CheckpointEntry[] children, Dictionary<string, int>? byKey)
    {
        Key = key;
        Kind = StateNodeKind.Map;
        ByteOffset = -1;
        _children = children;
        if (byKey is null && children.Length > ScanLimit)
        {
            byKey = new Dictionary<string, int>(children.Length, StringComparer.Ordinal);
            for (int i = 0; i < children.Length; i++)
            {
                byKey[children[i].Key] = i;
            }
        }

        _byKey = byKey;
        foreach (CheckpointEntry child in children)
        {
            child._parent = this;
        }
    }

    /// <summary>The key of this entry in its parent map (<c>""</c> for the root).</summary>
    public string Key { get; }

    /// <summary>The path from the root, as errors name it: <c>.</c>, <c>./layers/0/weight</c>.</summary>
    /// <remarks>Made when first asked for: most entries of a large index are never named.</remarks>
    public string Path => _path ??= _parent is null ? "." : _parent._parent is null ? "./" + Key : _parent.Path + "/" + Key;

    /// <summary>What the entry holds: <see cref="StateNodeKind.Map"/>, <see cref="StateNodeKind.NdArray"/> (chunked or not), or a scalar kind.</summary>
    public StateNodeKind Kind { get; }

    /// <summary>Whether this is an array stored in flax's chunked form (one logical array, several ext values in the file).</summary>
    public bool IsChunked => Kind == StateNodeKind.NdArray && ByteOffset < 0;

    /// <summary>The array's dtype; null unless <see cref="Kind"/> is <see cref="StateNodeKind.NdArray"/>.</summary>
    public DType? DType { get; }

    /// <summary>The array's shape; <see cref="Shape.Scalar"/> for entries that are not arrays.</summary>
    public Shape Shape { get; }

    /// <summary>The array's element bytes (0 for entries that are not arrays).</summary>
    public long ByteLength { get; }

    /// <summary>Where the array's element bytes start in the file; -1 for chunked arrays and entries that are not arrays.</summary>
    public long ByteOffset { get; }

    /// <summary>The entries of a map, in file order; empty for leaves.</summary>
    public IReadOnlyList<CheckpointEntry> Children => _children;

    /// <summary>The child with key <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">This entry is not a map with that key.</exception>
    public CheckpointEntry this[string key] => TryGetChild(key, out CheckpointEntry? child)
        ? child
        : throw new KeyNotFoundException($"Key '{key}' is not in the checkpoint at path {Path}.");

    /// <summary>The value of a leaf that is not an array (decoded by the index pass), or the map of a chunked array; null for maps and plain arrays.</summary>
    internal StateNode? Node { get; }

    /// <summary>The array's bytes in the mapped file, in order: one view, or the chunks of a chunked array.</summary>
    internal NdArray[]? Chunks { get; }

    /// <summary>The child with key <paramref name="key"/>, if this is a map that has it.</summary>
    public bool TryGetChild(string key, [NotNullWhen(true)] out CheckpointEntry? child)
    {
        if (_byKey is not null)
        {
            child = _byKey.TryGetValue(key, out int index) ? _children[index] : null;
            return child is not null;
        }

        foreach (CheckpointEntry entry in _children)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                child = entry;
                return true;
            }
        }

        child = null;
        return false;
    }

    /// <summary>This entry and all below it, depth first in file order.</summary>
    public IEnumerable<CheckpointEntry> Descendants()
    {
        var stack = new Stack<CheckpointEntry>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            CheckpointEntry entry = stack.Pop();
            yield return entry;
            for (int i = entry.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(entry.Children[i]);
            }
        }
    }

    /// <summary><c>./layers/0/weight: float32 (512, 256), 524288 bytes</c>, <c>./config: map of 2</c>, <c>./step: Int</c>.</summary>
    public override string ToString() => Kind switch
    {
        StateNodeKind.NdArray => $"{Path}: {DType} {Shape}, {ByteLength} bytes{(IsChunked ? " (chunked)" : string.Empty)}",
        StateNodeKind.Map => $"{Path}: map of {Children.Count}",
        _ => $"{Path}: {Kind}",
    };

    /// <summary>An entry for a leaf value, or for a chunked array's map.</summary>
    internal static CheckpointEntry ForLeaf(string key, StateNode node) => new(key, node);

    /// <summary>An entry for an array (a view of the mapped file).</summary>
    internal static CheckpointEntry ForArray(string key, NdArray array) => new(key, array);

    /// <summary>An entry for a map with these children (distinct keys, file order); <paramref name="byKey"/>, if given, holds each key's index.</summary>
    internal static CheckpointEntry ForMap(string key, CheckpointEntry[] children, Dictionary<string, int>? byKey) => new(key, children, byKey);

    /// <summary>The entries as the state-dict map a full load would read before unchunking (for validating a chunked array's map).</summary>
    internal static StateMap ToStateMap(ReadOnlySpan<CheckpointEntry> entries)
    {
        var map = new StateMap(entries.Length);
        foreach (CheckpointEntry entry in entries)
        {
            map.Set(entry.Key, entry.Kind switch
            {
                StateNodeKind.Map => ToStateMap(entry._children),
                StateNodeKind.NdArray when !entry.IsChunked => new StateValue(entry.Chunks![0]),
                _ => entry.Node!,
            });
        }

        return map;
    }
}
