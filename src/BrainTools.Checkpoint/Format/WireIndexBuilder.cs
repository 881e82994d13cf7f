using System.Buffers;
using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// Builds the index of a lazy open (<see cref="WireEntry"/>) from what <see cref="WireWalker{TBuilder, TNode, TMap}"/>
/// reads: arrays become views of the mapped file, untouched, and chunked arrays keep their chunks as such views.
/// </summary>
internal readonly struct WireIndexBuilder : IWireBuilder<WireEntry, WireIndexBuilder.MapEntries>
{
    private readonly ArrayStorage _file;

    /// <param name="file">The file in memory (mapped), offset 0 = the file's start.</param>
    public WireIndexBuilder(ArrayStorage file)
    {
        _file = file;
    }

    public WireEntry Value(StateValue value) => WireEntry.ForValue(value);

    // A slice of the mapped file: its bytes are not touched.
    public WireEntry Array(DType dtype, Shape shape, ReadOnlySequence<byte> data, long offset) => WireEntry.ForArray(new NdArray(dtype, shape, _file, offset));

    public MapEntries BeginMap(int count) => new(count);

    public void Add(MapEntries map, string key, WireEntry child) => map.Add(key, child);

    public WireEntry EndMap(MapEntries map) => map.End();

    public WireEntry Chunked(WireEntry map, long[] dimensions, NdArray[] chunks) => WireEntry.ForChunked(dimensions, chunks);

    public bool TryGetChild(WireEntry map, string key, out WireEntry? child) => map.TryGetChild(key, out child);

    public int MapCount(WireEntry node) => node.Kind == StateNodeKind.Map ? node.Children.Length : -1;

    public bool TryGetInt64(WireEntry node, out long value)
    {
        if (node.Value is { Value: long v })
        {
            value = v;
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryGetArray(WireEntry node, out NdArray? array)
    {
        array = node.Kind == StateNodeKind.NdArray && !node.IsChunked ? node.Chunks![0] : null;
        return array is not null;
    }

    /// <summary>The entries of a map being read, in file order; a repeated key keeps its first place and takes the last value.</summary>
    internal sealed class MapEntries
    {
        private WireEntry[] _children;
        private Dictionary<string, int>? _byKey;
        private int _count;

        public MapEntries(int count)
        {
            _children = count == 0 ? [] : new WireEntry[Math.Min(count, 1024)];
            _byKey = count > WireEntry.ScanLimit ? new(Math.Min(count, 1024), StringComparer.Ordinal) : null;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(string key, WireEntry child)
        {
            child.Key = key;
            int index = IndexOf(key);
            if (index >= 0)
            {
                _children[index] = child;
                return;
            }

            if (_count == _children.Length)
            {
                System.Array.Resize(ref _children, Math.Max(4, _count * 2));
            }

            _byKey?.Add(key, _count);
            _children[_count++] = child;
        }

        public WireEntry End()
        {
            if (_count != _children.Length)
            {
                System.Array.Resize(ref _children, _count);
            }

            return WireEntry.ForMap(_children, _byKey);
        }

        private int IndexOf(string key)
        {
            if (_byKey is not null)
            {
                return _byKey.TryGetValue(key, out int index) ? index : -1;
            }

            for (int i = 0; i < _count; i++)
            {
                if (string.Equals(_children[i].Key, key, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
