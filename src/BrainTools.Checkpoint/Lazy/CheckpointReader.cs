using BrainTools.Checkpoint.Serialization;
using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint;

/// <summary>
/// An opened checkpoint (<see cref="Msgpack.Open(string, MsgpackOptions?)"/>): indexed (keys, dtypes, shapes, where
/// each array's bytes are) by one pass over its headers that skips the array payloads, so opening a 10 GiB
/// checkpoint costs about as much as opening a small one. Arrays, row slices of arrays and sub-trees are then read
/// on demand. A local file is also mapped into memory; another source (<see cref="ICheckpointSource"/>, such as a
/// blob) is read by ranged reads: the index in windows of the source's preferred read size, an array in one read
/// (or <see cref="ICheckpointSource.MaxConcurrentReads"/> reads at once, when it is large).
/// </summary>
/// <remarks>
/// <para>Memory: an array read from the reader of a local file is a view of the mapped file (no copy; the OS reads
/// its pages when they are first touched). The mapping is copy-on-write: such arrays may be written, and the writes
/// stay private to the process, never reaching the file. Chunked arrays, row slices that cross their chunks, and
/// every array of a source that is not a local file are copied into memory of their own. Use
/// <see cref="NdArray.Copy"/> for an array that owns its memory.</para>
/// <para>The file is validated by the same reader as a full load (a hostile file is the same
/// <see cref="InvalidCheckpointException"/>, with the same reason, byte offset and path, from <see cref="Msgpack.Open(string, MsgpackOptions?)"/>),
/// except that the payload bytes of arrays are not looked at until read.</para>
/// <para>Lifetime: the reader owns its source. <see cref="Dispose"/> ends reading (later reads throw
/// <see cref="ObjectDisposedException"/>) and closes the source and unmaps the file once the reads in progress are
/// done, if no array view was handed out; otherwise the mapping lives on until the last view is collected, so views
/// never dangle. The index (<see cref="Root"/>) stays valid.</para>
/// <para>Thread safety: all members may be called from many threads at once, <see cref="Dispose"/> included
/// (it waits for copies in progress). Copies (chunked arrays, <see cref="ReadArrayInto(string, NdArray)"/>) are read
/// with positional reads, not through the mapping, so a file truncated meanwhile gives an
/// <see cref="InvalidCheckpointException"/>; a view of a plain array is the mapping itself, and touching it after the
/// file was truncated under it is a fault the OS raises (SIGBUS), so do not truncate a file that is open. An atomic
/// save that replaces the file leaves the opened version readable.</para>
/// </remarks>
public sealed partial class CheckpointReader : IDisposable
{
    private readonly ICheckpointSource _source;
    private readonly bool _ownsSource;
    private readonly MappedArrayStorage? _mapping;

    // Where the index's arrays point: the mapping, or for a source without one a stand-in that is never read.
    private readonly ArrayStorage _bytes;
    private readonly Lock _gate = new();
    private long _bytesTouched;
    private bool _disposed;
    private bool _viewsHandedOut;
    private int _readsInFlight;
    private bool _closed;

    private CheckpointReader(ICheckpointSource source, bool ownsSource, MappedArrayStorage? mapping, ArrayStorage bytes, CheckpointEntry root, long headerBytes)
    {
        _source = source;
        _ownsSource = ownsSource;
        _mapping = mapping;
        _bytes = bytes;
        Root = root;
        _bytesTouched = headerBytes;
    }

    /// <summary>The checkpoint's path, or its URL (<see cref="ICheckpointSource.Name"/>).</summary>
    public string FilePath => _source.Name;

    /// <summary>The checkpoint's length in bytes.</summary>
    public long FileLength => _source.Length;

    /// <summary>The index of the file: its root entry (a map for a state dict), with every key, dtype and shape below it.</summary>
    public CheckpointEntry Root { get; }

    /// <summary>
    /// Bytes of the file this reader has read or handed out so far: what the index pass read from the file (headers,
    /// in windows of 4 KiB) plus the array bytes of every read (as views or copies). Payloads nobody asked for are
    /// not counted: they are neither read nor touched.
    /// </summary>
    public long BytesTouched => Interlocked.Read(ref _bytesTouched);

    /// <summary>The entry at <paramref name="path"/>.</summary>
    /// <param name="path">Keys joined by <c>/</c>: <c>layers/0/weight</c> or <c>./layers/0/weight</c>; <c>.</c> or empty for the root.</param>
    /// <exception cref="KeyNotFoundException">No entry has that path.</exception>
    public CheckpointEntry this[string path] => TryGetEntry(path, out CheckpointEntry? entry)
        ? entry
        : throw new KeyNotFoundException($"The checkpoint {FilePath} has no entry at path {Normalize(path)}.");

    /// <summary>The entry at <paramref name="path"/> (see <see cref="this[string]"/>), if there is one.</summary>
    public bool TryGetEntry(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckpointEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(path);
        entry = Root;
        foreach (string key in Keys(path))
        {
            if (!entry.TryGetChild(key, out entry))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads the array at <paramref name="path"/>: a view of the mapped file, or a copy (of a chunked array's chunks joined, of an array of a source that is not mapped).</summary>
    /// <exception cref="KeyNotFoundException">No entry has that path.</exception>
    /// <exception cref="InvalidOperationException">The entry is not an array.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public NdArray ReadArray(string path) => ReadArray(RequireArray(path));

    /// <summary>Reads the array of an entry of this reader's index.</summary>
    /// <exception cref="ArgumentException">The entry belongs to another reader's index.</exception>
    /// <exception cref="InvalidOperationException">The entry is not an array.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public NdArray ReadArray(CheckpointEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        RequireOwnArray(entry);

        return Slice(entry, 0, entry.ByteLength, entry.Shape, handOut: true);
    }

    /// <summary>
    /// Reads rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 (along the first axis)
    /// of the array at <paramref name="path"/>: only those rows' bytes are read (a view, or a copy for a chunked array).
    /// The result has shape <c>(count, ...rest of the shape)</c>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No entry has that path.</exception>
    /// <exception cref="InvalidOperationException">The entry is not an array of rank 1 or more.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows are not all within the array.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public NdArray ReadRows(string path, long start, long count)
    {
        CheckpointEntry entry = RequireArray(path);
        if (entry.Shape.Rank == 0)
        {
            throw new InvalidOperationException($"The array at path {entry.Path} is 0-d: it has no rows.");
        }

        long rows = entry.Shape[0];
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start > rows - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start}..{start + count} are past the {rows} rows of the array at path {entry.Path}.");
        }

        long[] dims = entry.Shape.Dimensions.ToArray();
        dims[0] = 1;
        long rowBytes = new Shape(dims).ElementCount * entry.DType!.ItemSize;
        dims[0] = count;
        return Slice(entry, start * rowBytes, count * rowBytes, new Shape(dims), handOut: true);
    }

    /// <summary>Reads the sub-tree at <paramref name="path"/> (the whole checkpoint for <c>.</c>) as a full load would return it.</summary>
    /// <exception cref="KeyNotFoundException">No entry has that path.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public StateNode ReadTree(string path = ".")
    {
        CheckpointEntry entry = this[path];
        var batch = new ReadBatch();
        StateNode tree = Read(entry, handOut: true, batch);
        RunBatch(batch);
        return tree;
    }

    /// <summary>
    /// Reads only the parts of the checkpoint that <paramref name="template"/> asks for: where the template has a
    /// map and the file has one, the keys of the template are followed (keys the file lacks are left out, so that
    /// restoring reports them; keys the template lacks are not read); where the template has anything else, the
    /// whole entry at that place is read. Give the result to a restore into the same template.
    /// </summary>
    /// <param name="template">A <see cref="StateNode"/>, or any object <see cref="Msgpack.ToStateDict"/> accepts (a model, a dictionary).</param>
    /// <returns>The raw state dict, shaped like the file, holding only what the template reaches.</returns>
    /// <exception cref="CheckpointException">The template has no state-dict form.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public StateNode ReadMatching(object? template) => ReadMatching(template, handOut: true);

    /// <summary>As <see cref="ReadMatching(object?)"/>; with <paramref name="handOut"/> false, for views that <see cref="CopyInto(NdArray, NdArray, string)"/> will read from the file (no read-ahead advice, bytes counted when copied).</summary>
    internal StateNode ReadMatching(object? template, bool handOut)
    {
        StateNode shape = StateDictConverters.ToStateDict(template);
        var batch = new ReadBatch();
        StateNode matched = Match(Root, shape, handOut, batch);
        RunBatch(batch);
        return matched;
    }

    /// <summary>
    /// Ends reading: later reads throw <see cref="ObjectDisposedException"/>. Closes the source and unmaps the file
    /// once the reads in progress are done, unless array views were handed out, which keep them alive until they
    /// are collected.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;

            // A chunked array handed out unjoined (LoadInto's) may still be joined, by reads of this source: a file's
            // handle is then closed by its finalizer once nothing refers to this reader.
            if (_viewsHandedOut || _readsInFlight > 0)
            {
                return;
            }

            _closed = true;
        }

        Close();
    }

    /// <summary>Maps and indexes a checkpoint file.</summary>
    internal static CheckpointReader Open(string path, MsgpackOptions options) => Open(new FileCheckpointSource(path), ownsSource: true, options);

    /// <summary>Indexes the checkpoint a source holds, mapping it first when it is a local file.</summary>
    /// <param name="source">The checkpoint's bytes.</param>
    /// <param name="ownsSource">Whether the reader disposes the source (when it is disposed, or when the open fails).</param>
    /// <param name="options">Limits.</param>
    internal static CheckpointReader Open(ICheckpointSource source, bool ownsSource, MsgpackOptions options)
    {
        MappedArrayStorage? mapping = null;
        try
        {
            long length = CheckpointFile.CheckLength(source, options);

            // The file stays open for reads into the caller's memory (ReadArrayInto), which bypass the mapping.
            mapping = source is FileCheckpointSource file ? MappedArrayStorage.Map(file.Handle, length, copyOnWrite: true) : null;
            ArrayStorage bytes = mapping is not null ? mapping : new UnreadArrayStorage(length);

            // Headers come in by reads; a mapping is touched only where arrays are read.
            WireEntry root = WireReader.ReadIndex(source, mapping, bytes, options, out long bytesRead);
            return new CheckpointReader(source, ownsSource, mapping, bytes, new CheckpointEntry(root, null), bytesRead);
        }
        catch (InvalidCheckpointException e)
        {
            mapping?.Dispose();
            if (ownsSource)
            {
                source.Dispose();
            }

            throw e.WithFile(source.Name);
        }
        catch
        {
            mapping?.Dispose();
            if (ownsSource)
            {
                source.Dispose();
            }

            throw;
        }
    }

    // Reads of the source are counted, so that a Dispose racing them closes it only after the last one.
    private void BeginRead()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _readsInFlight++;
        }
    }

    private void EndRead()
    {
        lock (_gate)
        {
            if (--_readsInFlight > 0 || !_disposed || _viewsHandedOut || _closed)
            {
                return;
            }

            _closed = true;
        }

        Close();
    }

    private void Close()
    {
        if (_ownsSource)
        {
            _source.Dispose();
        }

        _mapping?.Dispose();
    }

    private static IEnumerable<string> Keys(string path)
    {
        string trimmed = path is "." or "" ? string.Empty : path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
        return trimmed.Length == 0 ? [] : trimmed.Split('/');
    }

    private static string Normalize(string path) => path is "." or "" ? "." : path.StartsWith("./", StringComparison.Ordinal) ? path : "./" + path;

    private static void RequireArray(CheckpointEntry entry)
    {
        if (entry.Kind != StateNodeKind.NdArray)
        {
            throw new InvalidOperationException($"The entry at path {entry.Path} is a {entry.Kind}, not an ndarray.");
        }
    }

    // An array entry of this reader's index: offsets are into one file, so another reader's entry would read this
    // file's bytes at its offsets.
    private void RequireOwnArray(CheckpointEntry entry)
    {
        RequireArray(entry);
        if (entry.Chunks![0].Storage != _bytes)
        {
            throw new ArgumentException($"The entry at path {entry.Path} belongs to another reader's index.", nameof(entry));
        }
    }

    private CheckpointEntry RequireArray(string path)
    {
        CheckpointEntry entry = this[path];
        RequireArray(entry);
        return entry;
    }

    private StateNode Match(CheckpointEntry entry, StateNode template, bool handOut, ReadBatch batch)
    {
        if (template is not StateMap wanted || entry.Kind != StateNodeKind.Map)
        {
            return Read(entry, handOut, batch);
        }

        var result = new StateMap(wanted.Count);
        foreach (KeyValuePair<string, StateNode> item in wanted)
        {
            if (entry.TryGetChild(item.Key, out CheckpointEntry? child))
            {
                result.Set(item.Key, Match(child, item.Value, handOut, batch));
            }
        }

        return result;
    }

    private StateNode Read(CheckpointEntry entry, bool handOut, ReadBatch batch)
    {
        switch (entry.Kind)
        {
            case StateNodeKind.NdArray:
                return new StateValue(Slice(entry, 0, entry.ByteLength, entry.Shape, handOut, batch));
            case StateNodeKind.Map:
                var map = new StateMap(entry.Children.Count);
                foreach (CheckpointEntry child in entry.Children)
                {
                    map.Set(child.Key, Read(child, handOut, batch));
                }

                return map;
            default:
                // Scalars, strings and small ext values were decoded by the index pass; bytes get a copy of their own.
                StateValue leaf = entry.Node!;
                return leaf.Value is byte[] bytes ? new StateValue(bytes.ToArray()) : leaf;
        }
    }

    // Bytes [start, start + count) of the entry's logical array: a view when they lie in one ext value of a mapped
    // file, else a copy (across chunk boundaries, or from the source). A view handed out is counted as touched and
    // advised for read-ahead.
    // With a batch, a copy is only planned: its reads join the batch, which the caller runs once the walk is done,
    // so arrays close together in a source without a mapping (a blob) come in few reads.
    private NdArray Slice(CheckpointEntry entry, long start, long count, Shape shape, bool handOut, ReadBatch? batch = null)
    {
        NdArray[] chunks = entry.Chunks!;
        if (chunks.Length == 1 && _mapping is not null)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _viewsHandedOut = true;
            }

            if (handOut)
            {
                // The view will most likely be read whole: have the OS start reading it now.
                unsafe
                {
                    MemoryAdvice.WillNeed(_mapping.Pointer + chunks[0].ByteOffset + start, count);
                }

                Interlocked.Add(ref _bytesTouched, count);
            }

            return new NdArray(entry.DType!, shape, _mapping, chunks[0].ByteOffset + start);
        }

        if (!handOut && start == 0 && count == entry.ByteLength)
        {
            // A restore in place reads the parts straight into its array (CopyInto); joined only if read otherwise,
            // maybe after Dispose: like a view, it keeps the source open.
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _viewsHandedOut = true;
            }

            return new NdArray(entry.DType!, shape, new DeferredJoinStorage(entry, () => Join(chunks, 0, count, entry.Path)), 0);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        if (batch is not null)
        {
            ArrayStorage planned = NdArray.Allocate(count, zero: false);
            AddReads(chunks, start, count, planned, entry.Path, batch.Reads);
            batch.Bytes += count;
            return new NdArray(entry.DType!, shape, planned, 0);
        }

        return new NdArray(entry.DType!, shape, Join(chunks, start, count, entry.Path), 0);
    }

    // Bytes [start, start + count) of the logical array the chunks hold, copied into memory of their own by positional
    // reads of the source, not through a mapping: the docs promise a copy, and a file truncated meanwhile is then an
    // InvalidCheckpointException, not a SIGBUS.
    private ArrayStorage Join(NdArray[] chunks, long start, long count, string treePath)
    {
        ArrayStorage destination = NdArray.Allocate(count, zero: false);
        var reads = new List<PositionalRead.Request>(chunks.Length);
        AddReads(chunks, start, count, destination, treePath, reads);
        ReadCounted(reads, count);
        return destination;
    }

    // The reads of bytes [start, start + count) of the logical array the chunks hold, into destination from its start.
    private static void AddReads(NdArray[] chunks, long start, long count, ArrayStorage destination, string treePath, List<PositionalRead.Request> reads)
    {
        long partStart = 0;
        long written = 0;
        foreach (NdArray part in chunks)
        {
            long partEnd = partStart + part.ByteLength;
            long from = Math.Max(start, partStart);
            long to = Math.Min(start + count, partEnd);
            if (from < to)
            {
                long at = written;
                reads.Add(new PositionalRead.Request(part.ByteOffset + (from - partStart), to - from, (offset, length) => destination.GetSpan(at + offset, length), treePath));
                written += to - from;
            }

            partStart = partEnd;
            if (partStart >= start + count)
            {
                break;
            }
        }
    }

    private void RunBatch(ReadBatch batch)
    {
        if (batch.Reads.Count == 0)
        {
            return;
        }

        ReadCounted([.. batch.Reads.OrderBy(read => read.FileOffset)], batch.Bytes);
    }

    // Reads `bytes` bytes of the source in these reads (in parallel when large), counted as touched; a Dispose on
    // another thread closes the source only once they are done.
    private void ReadCounted(IReadOnlyList<PositionalRead.Request> reads, long bytes)
    {
        BeginRead();
        try
        {
            PositionalRead.ReadAll(_source, reads, parallel: bytes >= ParallelArrayBytes);
        }
        finally
        {
            EndRead();
        }

        Interlocked.Add(ref _bytesTouched, bytes);
    }
}
