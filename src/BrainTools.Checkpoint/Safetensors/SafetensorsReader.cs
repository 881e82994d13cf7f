using System.Diagnostics.CodeAnalysis;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint;

/// <summary>
/// An opened safetensors file (<see cref="Safetensors.Open(string, TensorFileOptions?)"/>): only the header has been read, so the names, dtypes,
/// shapes and byte ranges of every tensor are known (<see cref="Tensors"/>) and each tensor is read on demand with
/// positional reads of exactly its bytes.
/// </summary>
/// <remarks>
/// <para>Memory: every read returns an array that owns new memory (native beyond 1 GiB, so tensors past 2 GiB
/// read too); nothing is mapped, so a file truncated after opening gives an <see cref="InvalidCheckpointException"/>,
/// never a crash.</para>
/// <para>Thread safety: reads may run on many threads at once; <see cref="Dispose"/> closes the file, after which
/// reads throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class SafetensorsReader : IDisposable
{
    // Big tensors are read in windows so that progress moves and parallel reads stay in blocks of their own.
    private const long ReadWindow = 64L << 20;

    private readonly ICheckpointSource _source;
    private readonly bool _ownsSource;
    private bool _disposed;
    private readonly SafetensorsHeader _header;
    private readonly Dictionary<string, SafetensorsTensor> _byName;
    private readonly TensorFileOptions _options;
    private long _bytesRead;

    private SafetensorsReader(string path, ICheckpointSource source, bool ownsSource, long length, SafetensorsHeader header, TensorFileOptions options)
    {
        FilePath = path;
        FileLength = length;
        _source = source;
        _ownsSource = ownsSource;
        _header = header;
        _options = options;
        _bytesRead = header.Length;
        _byName = new Dictionary<string, SafetensorsTensor>(header.Tensors.Count, StringComparer.Ordinal);
        foreach (SafetensorsTensor tensor in header.Tensors)
        {
            _byName[tensor.Name] = tensor;
        }

        var metadata = new Dictionary<string, string>(header.Metadata.Count, StringComparer.Ordinal);
        foreach ((string name, string text) in header.Metadata)
        {
            metadata[name] = text;
        }

        Metadata = metadata;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The file's length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors => _header.Tensors;

    /// <summary>The header's <c>__metadata__</c>, as text (the library stores a tree's non-array leaves there as JSON literals).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Bytes of the file read so far: the header, and the bytes of every tensor read.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor of that name.</exception>
    public SafetensorsTensor this[string name] => TryGetTensor(name, out SafetensorsTensor? tensor)
        ? tensor
        : throw new KeyNotFoundException($"The file {FilePath} has no tensor named '{name}'.");

    /// <summary>The tensor named <paramref name="name"/>, if there is one.</summary>
    public bool TryGetTensor(string name, [NotNullWhen(true)] out SafetensorsTensor? tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out tensor);
    }

    /// <summary>Reads the tensor named <paramref name="name"/> into a new array.</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor of that name.</exception>
    /// <exception cref="InvalidCheckpointException">The file shrank since it was opened.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public NdArray ReadArray(string name) => ReadArray(this[name]);

    /// <summary>Reads a tensor of this file into a new array (which owns its memory).</summary>
    /// <exception cref="ArgumentException">The tensor is not one of this reader's.</exception>
    /// <exception cref="InvalidCheckpointException">The file shrank since it was opened.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public NdArray ReadArray(SafetensorsTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_byName.TryGetValue(tensor.Name, out SafetensorsTensor? own) || own != tensor)
        {
            throw new ArgumentException($"The tensor '{tensor.Name}' is not one of {FilePath}.", nameof(tensor));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        ArrayStorage storage = NdArray.Allocate(tensor.ByteLength, zero: false);
        for (long done = 0; done < tensor.ByteLength; done += ReadWindow)
        {
            long count = Math.Min(ReadWindow, tensor.ByteLength - done);
            long start = done;
            PositionalRead.Read(_source, tensor.ByteOffset + done, count, (offset, length) => storage.GetSpan(start + offset, length), parallel: count >= (16L << 20), tensor.Path);
            Interlocked.Add(ref _bytesRead, count);
            _options.Progress?.Report(count);
        }

        return new NdArray(tensor.DType, tensor.Shape, storage, 0);
    }

    /// <summary>
    /// Reads the whole file as a tree: names split at <c>.</c> into nested maps (<c>layers.0.weight</c> is
    /// <c>./layers/0/weight</c>), tensors as arrays, <c>__metadata__</c> entries as the values they encode
    /// (<c>0.001</c> a float, <c>"relu"</c> a string, <c>{}</c> an empty map; other text stays a string).
    /// </summary>
    /// <exception cref="InvalidCheckpointException">Two names collide in the tree, a name nests deeper than <see cref="TensorFileOptions.MaxDepth"/>, or the file shrank.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public StateNode ReadTree() => ReadTree(readOnFirstUse: false);

    /// <summary>
    /// As <see cref="ReadTree()"/>; with <paramref name="readOnFirstUse"/>, the tree comes from the header alone and
    /// each array's bytes are read when something first reads them (its dtype and shape are known at once), so a
    /// caller that looks into some arrays of a large file reads only those, each once.
    /// </summary>
    /// <param name="readOnFirstUse">Whether arrays are read when first used (the reader must then stay open until they are).</param>
    /// <exception cref="InvalidCheckpointException">Two names collide in the tree, a name nests deeper than <see cref="TensorFileOptions.MaxDepth"/>, or the file shrank.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed (with <paramref name="readOnFirstUse"/>: when an array is first used after that).</exception>
    public StateNode ReadTree(bool readOnFirstUse)
    {
        var items = new List<(string, StateNode)>(_header.Order.Count);
        foreach ((string name, int index, string? text) in _header.Order)
        {
            if (text is not null)
            {
                items.Add((name, SafetensorsMetadataValue.Decode(text)));
                continue;
            }

            SafetensorsTensor tensor = _header.Tensors[index];
            NdArray array = readOnFirstUse
                ? new NdArray(tensor.DType, tensor.Shape, new DeferredArrayStorage(tensor.ByteLength, () => ReadArray(tensor).Storage), 0)
                : ReadArray(tensor);
            items.Add((name, new StateValue(array)));
        }

        return FlatNames.Nest(items, Safetensors.Separator, _options.MaxDepth, FilePath);
    }

    /// <summary>Closes the file (or the source it owns); arrays already read stay valid (they own their memory).</summary>
    public void Dispose()
    {
        _disposed = true;
        if (_ownsSource)
        {
            _source.Dispose();
        }
    }

    /// <summary>Opens a file and reads its header.</summary>
    internal static SafetensorsReader Open(string path, TensorFileOptions options) => Open(new FileCheckpointSource(path), ownsSource: true, options);

    /// <summary>Reads the header of the safetensors file a source holds; with <paramref name="ownsSource"/>, the reader disposes the source (a failed open too).</summary>
    internal static SafetensorsReader Open(ICheckpointSource source, bool ownsSource, TensorFileOptions options)
    {
        try
        {
            long length = source.Length;
            SafetensorsHeader header = SafetensorsHeader.Read(source, length, source.Name, options);
            options.Progress?.Report(header.Length);
            return new SafetensorsReader(source.Name, source, ownsSource, length, header, options);
        }
        catch
        {
            if (ownsSource)
            {
                source.Dispose();
            }

            throw;
        }
    }
}
