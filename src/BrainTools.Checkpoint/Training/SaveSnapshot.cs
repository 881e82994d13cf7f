using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;


namespace BrainTools.Checkpoint.Training;

/// <summary>
/// A private copy of a state-dict tree for a background save: the maps are cloned and every array's bytes are
/// copied, so the caller may change its model as soon as the copy is taken. Each array's copy is let go of as soon
/// as the writer has written it, so the extra memory shrinks while the file is written.
/// </summary>
/// <remarks>Not thread-safe: taken on the caller's thread, then written and released on one background thread.</remarks>
internal sealed class SaveSnapshot : IDisposable
{
    // Arrays up to this size are copied into managed buffers the GC reuses; larger ones (rare) into native memory.
    private const long ManagedLimit = 1L << 30;

    // Large arrays are copied in slices of this size so that several workers can share one array.
    private const int SliceBytes = 16 << 20;

    private readonly List<ArrayStorage> _buffers = [];
    private readonly SnapshotBufferPool? _pool;

    private SaveSnapshot(StateNode root, SnapshotBufferPool? pool)
    {
        Root = root;
        _pool = pool;
    }

    /// <summary>The copied tree.</summary>
    public StateNode Root { get; private set; }

    /// <summary>Bytes of array data copied.</summary>
    public long ArrayBytes { get; private set; }

    /// <summary>Copies <paramref name="root"/>.</summary>
    /// <param name="root">The tree to copy.</param>
    /// <param name="workers">How many threads copy the array bytes (memory bandwidth permitting, more is faster).</param>
    /// <param name="pool">Where copy buffers come from and go back to, or null for fresh ones that are dropped after use.</param>
    /// <exception cref="CheckpointException">The tree nests deeper than the thread's stack can follow.</exception>
    public static SaveSnapshot Take(StateNode root, int workers, SnapshotBufferPool? pool = null)
    {
        var snapshot = new SaveSnapshot(root, pool);
        var copies = new List<(NdArray Source, NdArray Target)>();
        try
        {
            snapshot.Root = snapshot.Clone(root, TreePath.Root, copies);
            pool?.TrimUnused();
            CopyAll(copies, workers);
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }

        return snapshot;
    }

    /// <summary>Frees the copy of <paramref name="array"/> once it has been written.</summary>
    public void Release(NdArray array) => Release(array.Storage);

    /// <summary>Frees every copy still held.</summary>
    public void Dispose()
    {
        foreach (ArrayStorage buffer in _buffers)
        {
            Release(buffer);
        }

        _buffers.Clear();
        Root = StateValue.Null;
    }

    private static void Release(ArrayStorage storage)
    {
        switch (storage)
        {
            case SnapshotBuffer buffer: buffer.Release(); break;
            case NativeArrayStorage native: native.Dispose(); break;
        }
    }

    private static void CopyAll(List<(NdArray Source, NdArray Target)> copies, int workers)
    {
        var slices = new List<(NdArray Source, NdArray Target, long Offset, int Length)>();
        foreach ((NdArray source, NdArray target) in copies)
        {
            for (long offset = 0; offset < source.ByteLength; offset += SliceBytes)
            {
                slices.Add((source, target, offset, (int)Math.Min(SliceBytes, source.ByteLength - offset)));
            }
        }

        if (workers <= 1 || slices.Count <= 1)
        {
            foreach (var slice in slices)
            {
                CopySlice(slice.Source, slice.Target, slice.Offset, slice.Length);
            }

            return;
        }

        Parallel.ForEach(slices, new ParallelOptions { MaxDegreeOfParallelism = workers }, slice => CopySlice(slice.Source, slice.Target, slice.Offset, slice.Length));
    }

    private static void CopySlice(NdArray source, NdArray target, long offset, int length)
    {
        source.GetBytes(offset, length).CopyTo(
            MemoryMarshal.CreateSpan(ref Unsafe.Add(ref target.Storage.GetReference(), (nint)(target.ByteOffset + offset)), length));
        GC.KeepAlive(target.Storage);
    }

    private StateNode Clone(StateNode node, TreePath path, List<(NdArray Source, NdArray Target)> copies)
    {
        if (node is StateMap map)
        {
            // As WireWriter: a tree deeper than the stack can follow is refused, not a stack overflow that kills the process.
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw new CheckpointException($"The tree nests deeper than this thread's stack can follow at path {path}", null, path.ToString());
            }

            var clone = new StateMap(map.Count);
            foreach (KeyValuePair<string, StateNode> item in map)
            {
                clone.Add(item.Key, Clone(item.Value, path.Child(item.Key), copies));
            }

            return clone;
        }

        object? value = ((StateValue)node).Value;
        switch (value)
        {
            case NdArray array:
                ArrayStorage storage;
                if (array.ByteLength > ManagedLimit)
                {
                    storage = new NativeArrayStorage(array.ByteLength);
                }
                else
                {
                    storage = new SnapshotBuffer(array.ByteLength, _pool);
                }

                _buffers.Add(storage);

                var copy = new NdArray(array.DType, array.Shape, storage, 0);
                copies.Add((array, copy));
                ArrayBytes += array.ByteLength;
                return new StateValue(copy);
            case byte[] bytes:
                return new StateValue(bytes.Clone());
            case ExtensionValue ext:
                return new StateValue(new ExtensionValue(ext.TypeCode, ext.Data.ToArray()));
            default:
                // Strings, numbers, complex and numpy scalars are immutable: shared as they are.
                return node;
        }
    }
}
