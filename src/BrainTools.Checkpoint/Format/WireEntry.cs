using System.Diagnostics.CodeAnalysis;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// One value of a checkpoint as the index of a lazy open knows it (<see cref="WireIndexBuilder"/>): a map and its
/// children, an array (dtype, shape, where its element bytes are), or a decoded leaf. The public face of this record
/// is the lazy reader's <c>CheckpointEntry</c> (Format knows nothing above it).
/// </summary>
/// <remarks>Immutable once the walk that made it has ended.</remarks>
internal sealed class WireEntry
{
    // Maps up to this size find a child by a scan of their children: cheaper to build than a dictionary, which
    // matters when an index has thousands of small maps (one per layer).
    public const int ScanLimit = 8;

    private static readonly WireEntry[] NoChildren = [];
    private readonly Dictionary<string, int>? _byKey;

    private WireEntry(StateNodeKind kind, WireEntry[] children, Dictionary<string, int>? byKey, StateValue? value, NdArray[]? chunks, DType? dtype, Shape shape, long byteOffset)
    {
        Kind = kind;
        Children = children;
        _byKey = byKey;
        Value = value;
        Chunks = chunks;
        DType = dtype;
        Shape = shape;
        ByteOffset = byteOffset;
        ByteLength = dtype is null ? 0 : shape.ElementCount * dtype.ItemSize;
    }

    /// <summary>The key in the parent map (<c>""</c> for the root); set once, as the parent adds it.</summary>
    public string Key { get; internal set; } = string.Empty;

    /// <summary>What the value is; chunked arrays are <see cref="StateNodeKind.NdArray"/>.</summary>
    public StateNodeKind Kind { get; }

    /// <summary>The entries of a map in file order (distinct keys); empty for leaves.</summary>
    public WireEntry[] Children { get; }

    /// <summary>The decoded value of a leaf that is not an array.</summary>
    public StateValue? Value { get; }

    /// <summary>An array's bytes, in order: one view of the mapped file, or the chunks of a chunked array.</summary>
    public NdArray[]? Chunks { get; }

    /// <summary>An array's dtype.</summary>
    public DType? DType { get; }

    /// <summary>An array's shape; <see cref="Shape.Scalar"/> otherwise.</summary>
    public Shape Shape { get; }

    /// <summary>An array's element bytes (0 otherwise).</summary>
    public long ByteLength { get; }

    /// <summary>Where an array's element bytes start in the file; -1 for chunked arrays and entries that are not arrays.</summary>
    public long ByteOffset { get; }

    /// <summary>Whether this is an array in flax's chunked form.</summary>
    public bool IsChunked => Kind == StateNodeKind.NdArray && ByteOffset < 0;

    /// <summary>A leaf.</summary>
    public static WireEntry ForValue(StateValue value) => new(value.Kind, NoChildren, null, value, null, null, Shape.Scalar, -1);

    /// <summary>An array: a view of the mapped file, whose offsets are file offsets.</summary>
    public static WireEntry ForArray(NdArray view) => new(StateNodeKind.NdArray, NoChildren, null, null, [view], view.DType, view.Shape, view.ByteOffset);

    /// <summary>A chunked array, validated: its chunks in order.</summary>
    public static WireEntry ForChunked(long[] dimensions, NdArray[] chunks) => new(StateNodeKind.NdArray, NoChildren, null, null, chunks, chunks[0].DType, new Shape(dimensions), -1);

    /// <summary>A map with these children (distinct keys, file order); <paramref name="byKey"/>, if given, holds each key's index.</summary>
    public static WireEntry ForMap(WireEntry[] children, Dictionary<string, int>? byKey)
    {
        if (byKey is null && children.Length > ScanLimit)
        {
            byKey = new Dictionary<string, int>(children.Length, StringComparer.Ordinal);
            for (int i = 0; i < children.Length; i++)
            {
                byKey[children[i].Key] = i;
            }
        }

        return new(StateNodeKind.Map, children, byKey, null, null, null, Shape.Scalar, -1);
    }

    /// <summary>The index of the child with key <paramref name="key"/>, or -1.</summary>
    public int IndexOf(string key)
    {
        if (_byKey is not null)
        {
            return _byKey.TryGetValue(key, out int index) ? index : -1;
        }

        for (int i = 0; i < Children.Length; i++)
        {
            if (string.Equals(Children[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The child with key <paramref name="key"/>, if this is a map that has it.</summary>
    public bool TryGetChild(string key, [NotNullWhen(true)] out WireEntry? child)
    {
        int index = IndexOf(key);
        child = index >= 0 ? Children[index] : null;
        return child is not null;
    }
}
