using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;

namespace BrainTools.Checkpoint;

/// <summary>
/// An opened numpy <c>.npz</c> archive (<see cref="Npz.Open"/>): only the zip directory has been read, so the names
/// and sizes of every member are known (<see cref="Members"/>), and each member is read (inflated) when asked for.
/// </summary>
/// <remarks>
/// <para>Every failure of the zip layer (a damaged directory, a bad local header, a broken deflate stream, an unknown
/// compression method) is an <see cref="InvalidCheckpointException"/> naming the file and the member's tree path.
/// Memory is bounded by the file: a member may claim at most as many bytes as deflate can produce from its compressed
/// size (1032 to 1), and its array no more than the member holds, both checked before allocating.</para>
/// <para>Thread safety: reads may come from many threads; they take turns (a zip archive reads one member at a
/// time). <see cref="Dispose"/> closes the file.</para>
/// </remarks>
public sealed class NpzArchive : IDisposable
{
    // Deflate's best case is 258 bytes from 2 bits: no honest member inflates more than 1032 times.
    private const long MaxDeflateRatio = 1032;

    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly TensorFileOptions _options;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly List<string> _others;
    private readonly Lock _gate = new();
    private bool _disposed;

    private NpzArchive(string path, FileStream file, ZipArchive zip, TensorFileOptions options)
    {
        FilePath = path;
        _file = file;
        _zip = zip;
        _options = options;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            entries = zip.Entries;
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw new InvalidCheckpointException($"the zip directory is damaged: {e.Message}", path, ".", e);
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

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The <c>.npy</c> members, in the archive's order.</summary>
    public IReadOnlyList<NpzMember> Members { get; }

    /// <summary>Opens an archive and reads its zip directory.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a zip archive, or its directory is damaged.</exception>
    public static NpzArchive Open(string path, TensorFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);
        try
        {
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (Exception e) when (IsZipFailure(e))
            {
                throw new InvalidCheckpointException($"not a zip archive: {e.Message}", path, ".", e);
            }

            try
            {
                return new NpzArchive(path, file, zip, options ?? TensorFileOptions.Default);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            file.Dispose();
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

        StateNode? node = Read(key, out string? unsupported);
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
    public StateNode ReadTree(ConversionReport? report = null)
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
            StateNode? node = Read(member.Name, out string? unsupported);
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

    /// <inheritdoc/>
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
            _file.Dispose();
        }
    }

    // The one read of a member, for ReadMember and ReadTree: null (with the reason) for what a tree cannot hold.
    private StateNode? Read(string name, out string? unsupported)
    {
        ZipArchiveEntry entry = _entries[name];
        string treePath = TreePathOf(name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            StateNode? node;
            try
            {
                CheckClaimedLength(entry, _file.Length);
                using Stream member = entry.Open();
                node = NpyFormat.Read(member, entry.Length, out unsupported);
            }
            catch (InvalidCheckpointException e)
            {
                throw new InvalidCheckpointException($"member '{entry.FullName}': {e.Reason}", FilePath, treePath, e);
            }
            catch (Exception e) when (IsZipFailure(e))
            {
                throw new InvalidCheckpointException($"member '{entry.FullName}': {e.Message}", FilePath, treePath, e);
            }

            _options.Progress?.Report(entry.CompressedLength);
            return node;
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
