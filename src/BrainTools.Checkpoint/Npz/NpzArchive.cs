using System.IO.Compression;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint;

/// <summary>
/// An opened numpy <c>.npz</c> archive (<see cref="Npz.Open(string, TensorFileOptions?)"/>): only the zip directory has
/// been read, so the names and sizes of every member are known (<see cref="Members"/>), and each member is read
/// (inflated) when asked for.
/// </summary>
/// <remarks>
/// <para>Every failure of the zip layer (a damaged directory, a bad local header, a broken deflate stream, an unknown
/// compression method) is an <see cref="InvalidCheckpointException"/> naming the file and the member's tree path.
/// Memory is bounded by the file: a member may claim at most as many bytes as deflate can produce from its compressed
/// size (1032 to 1), and its array no more than the member holds, both checked before allocating.</para>
/// <para>Memory: every array read owns new memory (native beyond 1 GiB); nothing is mapped.</para>
/// <para>Thread safety: reads may come from many threads; they take turns (a zip archive reads one member at a
/// time). <see cref="Dispose"/> closes the file (or the source the archive owns).</para>
/// </remarks>
public sealed class NpzArchive : IDisposable
{
    // Deflate's best case is 258 bytes from 2 bits: no honest member inflates more than 1032 times.
    private const long MaxDeflateRatio = 1032;

    private readonly ICheckpointSource _source;
    private readonly bool _ownsSource;
    private readonly SourceStream _stream;
    private readonly ZipArchive _zip;
    private readonly TensorFileOptions _options;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly List<string> _others;
    private readonly Lock _gate = new();
    private bool _disposed;

    private NpzArchive(ICheckpointSource source, bool ownsSource, SourceStream stream, ZipArchive zip, TensorFileOptions options)
    {
        FilePath = source.Name;
        FileLength = source.Length;
        _source = source;
        _ownsSource = ownsSource;
        _stream = stream;
        _zip = zip;
        _options = options;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            entries = zip.Entries;
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw new InvalidCheckpointException($"the zip directory is damaged: {e.Message}", FilePath, ".", e);
        }

        var members = new List<NpzMember>(entries.Count);
        _entries = new Dictionary<string, ZipArchiveEntry>(entries.Count, StringComparer.Ordinal);
        _others = [];
        foreach (ZipArchiveEntry entry in entries)
        {
            string fullName = entry.FullName;
            if (fullName.EndsWith('/'))
            {
                continue;
            }

            if (!fullName.EndsWith(".npy", StringComparison.Ordinal))
            {
                _others.Add(fullName);
                continue;
            }

            string name = fullName[..^4];
            if (_entries.TryAdd(name, entry))
            {
                members.Add(new NpzMember(name, TreePathOf(name), entry.CompressedLength, entry.Length));
            }
        }

        Members = members;
    }

    /// <summary>The file (or the source's name, a blob URL).</summary>
    public string FilePath { get; }

    /// <summary>The archive's length in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The <c>.npy</c> members, in the archive's order.</summary>
    public IReadOnlyList<NpzMember> Members { get; }

    /// <summary>
    /// Bytes of the archive read so far: the zip directory, and for each member read (or, for a tree read on first
    /// use, each header) its local header and the compressed bytes inflated. Small reads are served from windows of
    /// the source's preferred read size (a page for a file), which count whole.
    /// </summary>
    public long BytesRead => _stream.BytesRead;

    /// <summary>Opens an archive and reads its zip directory.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a zip archive, or its directory is damaged.</exception>
    public static NpzArchive Open(string path, TensorFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Open(new FileCheckpointSource(path), ownsSource: true, options ?? TensorFileOptions.Default);
    }

    /// <summary>Reads the zip directory of the archive a source holds; with <paramref name="ownsSource"/>, the archive disposes the source (a failed open too).</summary>
    internal static NpzArchive Open(ICheckpointSource source, bool ownsSource, TensorFileOptions options)
    {
        try
        {
            var stream = new SourceStream(source);
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (Exception e) when (IsZipFailure(e))
            {
                throw new InvalidCheckpointException($"not a zip archive: {e.Message}", source.Name, ".", e);
            }

            try
            {
                return new NpzArchive(source, ownsSource, stream, zip, options);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
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

    /// <summary>Reads one member: an <see cref="NdArray"/> leaf (a 0-d unicode array becomes a string leaf).</summary>
    /// <param name="name">The member's name without <c>.npy</c> (<c>layers/0/weight</c>), or its tree path (<c>./layers/0/weight</c>).</param>
    /// <exception cref="KeyNotFoundException">The archive has no such member.</exception>
    /// <exception cref="InvalidCheckpointException">The member is damaged.</exception>
    /// <exception cref="LossyConversionException">The member is an object or string array, which a tree cannot hold.</exception>
    public StateNode ReadMember(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        if (!_entries.ContainsKey(key))
        {
            throw new KeyNotFoundException($"The file {FilePath} has no member named '{key}'.");
        }

        StateNode? node = Read(key, deferArrays: false, out string? unsupported);
        if (node is null)
        {
            var report = new ConversionReport();
            report.Dropped(TreePathOf(key), unsupported!);
            throw new LossyConversionException(FilePath, "a tree", report);
        }

        return node;
    }

    /// <summary>Whether the archive has the member <paramref name="name"/> (without <c>.npy</c>).</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Reads every member into a tree: names split at <c>/</c> into nested maps; every array owns its memory.</summary>
    /// <param name="report">When given, receives the members that were left out (with <see cref="TensorFileOptions.AllowLossy"/>).</param>
    /// <exception cref="InvalidCheckpointException">A member is damaged; the message names it and its tree path.</exception>
    /// <exception cref="LossyConversionException">Members a tree cannot hold (object or string arrays, other files), and lossy reads are not allowed.</exception>
    /// <exception cref="ObjectDisposedException">The archive is disposed.</exception>
    public StateNode ReadTree(ConversionReport? report = null) => ReadTree(readOnFirstUse: false, report);

    /// <summary>
    /// As <see cref="ReadTree(ConversionReport?)"/>; with <paramref name="readOnFirstUse"/>, the tree comes from the zip
    /// directory and each member's <c>.npy</c> header alone (a deflated member is inflated only as far as its header's
    /// end) and each array is read (inflated) when something first reads it, its dtype and shape known at once; so a
    /// caller that looks into some arrays of a large archive reads only those, each once. Strings (0-d unicode
    /// members) are read at once.
    /// </summary>
    /// <param name="readOnFirstUse">Whether arrays are read when first used (the archive must then stay open until they are).</param>
    /// <param name="report">When given, receives the members that were left out (with <see cref="TensorFileOptions.AllowLossy"/>).</param>
    /// <exception cref="InvalidCheckpointException">A member's header is damaged (with <paramref name="readOnFirstUse"/>, its data: when the array is first used); the message names the member and its tree path.</exception>
    /// <exception cref="LossyConversionException">Members a tree cannot hold (object or string arrays, other files), and lossy reads are not allowed.</exception>
    /// <exception cref="ObjectDisposedException">The archive is disposed (with <paramref name="readOnFirstUse"/>: when an array is first used after that).</exception>
    public StateNode ReadTree(bool readOnFirstUse, ConversionReport? report = null)
    {
        report ??= new ConversionReport();
        var unreadable = new ConversionReport();
        foreach (string other in _others)
        {
            Note(other, "not a .npy member", report, unreadable);
        }

        var items = new List<(string, StateNode)>(Members.Count);
        foreach (NpzMember member in Members)
        {
            StateNode? node = Read(member.Name, readOnFirstUse, out string? unsupported);
            if (node is null)
            {
                Note(member.Name, unsupported!, report, unreadable);
                continue;
            }

            items.Add((member.Name, node));
        }

        if (unreadable.HasDropped)
        {
            throw new LossyConversionException(FilePath, "a tree", unreadable);
        }

        return FlatNames.Nest(items, Npz.Separator, _options.MaxDepth, FilePath);
    }

    /// <summary>Closes the file (or the source the archive owns); arrays already read stay valid (they own their memory).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _zip.Dispose();
            _stream.Dispose();
            if (_ownsSource)
            {
                _source.Dispose();
            }
        }
    }

    // The one read of a member, for ReadMember, ReadTree and ReadTree on first use: its header, then its value (an
    // array of a tree read on first use only when first used); null (with the reason) for what a tree cannot hold.
    private StateNode? Read(string name, bool deferArrays, out string? unsupported)
    {
        string? reason = null;
        StateNode? node = InMember(name, (entry, member) =>
        {
            NpyHeader header = NpyFormat.ReadHeader(member, entry.Length);
            if (deferArrays && header.DType is DType dtype)
            {
                return new StateValue(new NdArray(dtype, new Shape(header.Shape), new DeferredArrayStorage(header.ByteLength, () => ReadArray(name, header)), 0));
            }

            StateNode? value = NpyFormat.ReadValue(member, header, out reason);
            _options.Progress?.Report(entry.CompressedLength);
            return value;
        });
        unsupported = reason;
        return node;
    }

    // The first use of an array of a tree read on first use: the member inflated once, from its start.
    private ArrayStorage ReadArray(string name, NpyHeader opened) => InMember(name, (entry, member) =>
    {
        NpyHeader header = NpyFormat.ReadHeader(member, entry.Length);
        if (!header.SameArray(opened))
        {
            throw new InvalidCheckpointException($"the header changed since the archive was opened ('{opened.Descr}' {new Shape(opened.Shape)}, now '{header.Descr}' {new Shape(header.Shape)})");
        }

        var array = (NdArray)((StateValue)NpyFormat.ReadValue(member, header, out _)!).Value!;
        _options.Progress?.Report(entry.CompressedLength);
        return array.Storage;
    });

    // Runs one read of a member's inflated bytes, one at a time, with the zip layer's failures as the library's error
    // naming the file, the member and its tree path.
    private T InMember<T>(string name, Func<ZipArchiveEntry, Stream, T> read)
    {
        ZipArchiveEntry entry = _entries[name];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                CheckClaimedLength(entry, FileLength);
                using Stream member = entry.Open();
                return read(entry, member);
            }
            catch (InvalidCheckpointException e)
            {
                throw new InvalidCheckpointException($"member '{entry.FullName}': {e.Reason}", FilePath, TreePathOf(name), e);
            }
            catch (Exception e) when (IsZipFailure(e))
            {
                throw new InvalidCheckpointException($"member '{entry.FullName}': {e.Message}", FilePath, TreePathOf(name), e);
            }
        }
    }

    private void Note(string name, string message, ConversionReport report, ConversionReport unreadable)
    {
        string treePath = TreePathOf(name);
        report.Dropped(treePath, message);
        if (!_options.AllowLossy)
        {
            unreadable.Dropped(treePath, message);
        }
    }

    // Refused before anything is inflated: a member claiming more than its compressed bytes can hold.
    private static void CheckClaimedLength(ZipArchiveEntry entry, long fileLength)
    {
        long compressed = entry.CompressedLength;
        bool stored = entry.Length == compressed;
        if (compressed > fileLength || entry.Length < 0 || (!stored && entry.Length > (compressed * MaxDeflateRatio) + 1024))
        {
            throw new InvalidCheckpointException($"it claims {entry.Length} bytes from {compressed} compressed bytes in a file of {fileLength}, which no zip can hold");
        }
    }

    // What System.IO.Compression throws for damaged archives (fuzzing found InvalidDataException; a seek to a bogus
    // offset is an IOException). Permission errors are not among them.
    private static bool IsZipFailure(Exception e) => e is InvalidDataException or NotSupportedException or ArgumentException or OverflowException or IndexOutOfRangeException
        or (IOException and not (FileNotFoundException or DirectoryNotFoundException));

    private static string TreePathOf(string name)
    {
        TreePath tree = TreePath.Root;
        foreach (string key in name.Split(Npz.Separator))
        {
            tree = tree.Child(key);
        }

        return tree.ToString();
    }
}
