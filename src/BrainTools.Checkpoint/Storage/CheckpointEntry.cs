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
    private const int ScanLimit = 8;
    private static readonly CheckpointEntry[] NoChildren = [];
    private readonly CheckpointEntry? _parent;
    private readonly CheckpointEntry[] _children;
    private readonly Dictionary<string, CheckpointEntry>? _byKey;
    private string? _path;

    private CheckpointEntry(string key, CheckpointEntry? parent, StateNode node)
    {
        Key = key;
        _parent = parent;
        Node = node;
        _children = NoChildren;
        ByteOffset = -1;
        switch (node)
        {
            case StateMap map when map.ContainsKey(ExtensionTypeCodes.ChunkedArrayMarker):
                // Validated by the index pass: shape and chunks "0".."n-1" are there and agree.
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
            case StateMap map:
                Kind = StateNodeKind.Map;
                _children = new CheckpointEntry[map.Count];
                _byKey = map.Count > ScanLimit ? new Dictionary<string, CheckpointEntry>(map.Count, StringComparer.Ordinal) : null;
                int index = 0;
                foreach (KeyValuePair<string, StateNode> item in map)
                {
                    var child = new CheckpointEntry(item.Key, this, item.Value);
                    _children[index++] = child;
                    _byKey?.Add(item.Key, child);
                }

                break;
            case StateValue { Value: NdArray array }:
                Kind = StateNodeKind.NdArray;
                DType = array.DType;
                Shape = array.Shape;
                ByteLength = array.ByteLength;
                ByteOffset = array.ByteOffset; // The storage is the whole file, so its offsets are file offsets.
                Chunks = [array];
                break;
            default:
                Kind = node.Kind;
                break;
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

    /// <summary>The node of the index pass: a map, a leaf, or an array view of the mapped file (never handed out).</summary>
    internal StateNode Node { get; }

    /// <summary>The array's bytes in the mapped file, in order: one view, or the chunks of a chunked array.</summary>
    internal NdArray[]? Chunks { get; }

    /// <summary>The child with key <paramref name="key"/>, if this is a map that has it.</summary>
    public bool TryGetChild(string key, [NotNullWhen(true)] out CheckpointEntry? child)
    {
        if (_byKey is not null)
        {
            return _byKey.TryGetValue(key, out child);
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

    internal static CheckpointEntry CreateRoot(StateNode node) => new(string.Empty, null, node);
}
