using System.IO.Compression;

namespace BrainTools.Checkpoint;

/// <summary>
/// Reads a numpy <c>.npz</c> archive (a zip of <c>NAME.npy</c> members, stored or deflated) into a tree: names split
/// at <c>/</c> into nested maps. Every failure of the zip layer (a damaged directory, a bad local header, a broken
/// deflate stream, an unknown compression method) is an <see cref="InvalidCheckpointException"/> naming the file and
/// the member's tree path.
/// </summary>
/// <remarks>
/// Memory is bounded by the file: a member may claim at most as many bytes as deflate can produce from its
/// compressed size (1032 to 1), and its array no more than the member holds, both checked before allocating.
/// </remarks>
internal static class NpzReader
{
    // Deflate's best case is 258 bytes from 2 bits: no honest member inflates more than 1032 times.
    private const long MaxDeflateRatio = 1032;

    public static StateNode Load(string path, TensorFileOptions options, ConversionReport? report)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        report ??= new ConversionReport();
        var unreadable = new ConversionReport();
        var items = new List<(string, StateNode)>();
        using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (IsZipFailure(e))
        {
            throw new InvalidCheckpointException($"not a zip archive: {e.Message}", path, ".", e);
        }

        using (zip)
        {
            IReadOnlyCollection<ZipArchiveEntry> entries;
            try
            {
                entries = zip.Entries;
            }
            catch (Exception e) when (IsZipFailure(e))
            {
                throw new InvalidCheckpointException($"the zip directory is damaged: {e.Message}", path, ".", e);
            }

            foreach (ZipArchiveEntry entry in entries)
            {
                string fullName = entry.FullName;
                if (fullName.EndsWith('/'))
                {
                    continue;
                }

                if (!fullName.EndsWith(".npy", StringComparison.Ordinal))
                {
                    Note(path, fullName, "not a .npy member", report, unreadable, options);
                    continue;
                }

                string name = fullName[..^4];
                string treePath = TreePathOf(name);
                StateNode? node;
                string? unsupported;
                try
                {
                    CheckClaimedLength(entry, file.Length);
                    using Stream member = entry.Open();
                    node = NpyFormat.Read(member, entry.Length, out unsupported);
                }
                catch (InvalidCheckpointException e)
                {
                    throw new InvalidCheckpointException($"member '{fullName}': {e.Reason}", path, treePath, e);
                }
                catch (Exception e) when (IsZipFailure(e))
                {
                    throw new InvalidCheckpointException($"member '{fullName}': {e.Message}", path, treePath, e);
                }

                options.Progress?.Report(entry.CompressedLength);
                if (node is null)
                {
                    Note(path, name, unsupported!, report, unreadable, options);
                    continue;
                }

                items.Add((name, node));
            }
        }

        if (unreadable.HasDropped)
        {
            throw new LossyConversionException(path, "a tree", unreadable);
        }

        return FlatNames.Nest(items, Npz.Separator, options.MaxDepth, path);
    }

    private static void Note(string path, string name, string message, ConversionReport report, ConversionReport unreadable, TensorFileOptions options)
    {
        string treePath = TreePathOf(name);
        report.Dropped(treePath, message);
        if (!options.AllowLossy)
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
