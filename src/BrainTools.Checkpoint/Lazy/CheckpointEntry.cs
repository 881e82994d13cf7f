using System.Diagnostics.CodeAnalysis;
using BrainTools.Checkpoint.Format;

namespace BrainTools.Checkpoint;

/// <summary>
/// One node of an opened checkpoint's index (<see cref="CheckpointReader.Root"/>): a map with its children, an
/// array with its dtype, shape and where its bytes are in the file, or another leaf. Knowing an entry costs
/// nothing: its array payload has not been read.
/// </summary>
/// <remarks>Immutable and thread-safe; stays valid after the reader is disposed. The entry of a child is made when
/// first asked for, once: asking twice gives the same object.</remarks>
public sealed class CheckpointEntry
{
    private readonly CheckpointEntry? _parent;
    private CheckpointEntry?[]? _children;
    private CheckpointEntry[]? _childList;
    private string? _path;

    internal CheckpointEntry(WireEntry record, CheckpointEntry? parent)
    {
        Record = record;
        _parent = parent;
    }

    /// <summary>The key of this entry in its parent map (<c>""</c> for the root).</summary>
    public string Key => Record.Key;

    /// <summary>The path from the root, as errors name it: <c>.</c>, <c>./layers/0/weight</c>.</summary>
    /// <remarks>Made when first asked for: most entries of a large index are never named.</remarks>
    public string Path => _path ??= TreePath.ToString();

    /// <summary>What the entry holds: <see cref="StateNodeKind.Map"/>, <see cref="StateNodeKind.NdArray"/> (chunked or not), or a scalar kind.</summary>
    public StateNodeKind Kind => Record.Kind;

    /// <summary>Whether this is an array stored in flax's chunked form (one logical array, several ext values in the file).</summary>
    public bool IsChunked => Record.IsChunked;

    /// <summary>The array's dtype; null unless <see cref="Kind"/> is <see cref="StateNodeKind.NdArray"/>.</summary>
    public DType? DType => Record.DType;

    /// <summary>The array's shape; <see cref="Shape.Scalar"/> for entries that are not arrays.</summary>
    public Shape Shape => Record.Shape;

    /// <summary>The array's element bytes (0 for entries that are not arrays).</summary>
    public long ByteLength => Record.ByteLength;

    /// <summary>Where the array's element bytes start in the file; -1 for chunked arrays and entries that are not arrays.</summary>
    public long ByteOffset => Record.ByteOffset;

    /// <summary>The entries of a map, in file order; empty for leaves.</summary>
    public IReadOnlyList<CheckpointEntry> Children
    {
        get
        {
            if (_childList is null)
            {
                var children = new CheckpointEntry[Record.Children.Length];
                for (int i = 0; i < children.Length; i++)
                {
                    children[i] = ChildAt(i);
                }

                Interlocked.CompareExchange(ref _childList, children, null);
            }

            return _childList;
        }
    }

    /// <summary>The child with key <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">This entry is not a map with that key.</exception>
    public CheckpointEntry this[string key] => TryGetChild(key, out CheckpointEntry? child)
        ? child
        : throw new KeyNotFoundException($"Key '{key}' is not in the checkpoint at path {Path}.");

    /// <summary>The index record this entry shows.</summary>
    internal WireEntry Record { get; }

    /// <summary>The value of a leaf that is not an array (decoded by the index pass); null for maps and arrays.</summary>
    internal StateValue? Node => Record.Value;

    /// <summary>The array's bytes in the mapped file, in order: one view, or the chunks of a chunked array.</summary>
    internal NdArray[]? Chunks => Record.Chunks;

    /// <summary>The path as a <see cref="Checkpoint.TreePath"/>.</summary>
    internal TreePath TreePath => _parent is null ? TreePath.Root : _parent.TreePath.Child(Key);

    /// <summary>The child with key <paramref name="key"/>, if this is a map that has it.</summary>
    public bool TryGetChild(string key, [NotNullWhen(true)] out CheckpointEntry? child)
    {
        ArgumentNullException.ThrowIfNull(key);
        int index = Record.IndexOf(key);
        child = index >= 0 ? ChildAt(index) : null;
        return child is not null;
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
            for (int i = entry.Record.Children.Length - 1; i >= 0; i--)
            {
                stack.Push(entry.ChildAt(i));
            }
        }
    }

    /// <summary><c>./layers/0/weight: float32 (512, 256), 524288 bytes</c>, <c>./config: map of 2</c>, <c>./step: Int</c>.</summary>
    public override string ToString() => Kind switch
    {
        StateNodeKind.NdArray => $"{Path}: {DType} {Shape}, {ByteLength} bytes{(IsChunked ? " (chunked)" : string.Empty)}",
        StateNodeKind.Map => $"{Path}: map of {Record.Children.Length}",
        _ => $"{Path}: {Kind}",
    };

    // One entry per record, made on first use; a race makes two, and the first published wins.
    private CheckpointEntry ChildAt(int index)
    {
        CheckpointEntry?[] children = _children ?? Interlocked.CompareExchange(ref _children, new CheckpointEntry?[Record.Children.Length], null) ?? _children!;
        return children[index] ?? Interlocked.CompareExchange(ref children[index], new CheckpointEntry(Record.Children[index], this), null) ?? children[index]!;
    }
}
