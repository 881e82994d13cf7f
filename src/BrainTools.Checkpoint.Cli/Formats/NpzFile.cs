using System.IO.Compression;

namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>
/// numpy <c>.npz</c> archives: a zip of <c>NAME.npy</c> members, as <c>numpy.savez</c> (stored) and
/// <c>savez_compressed</c> (deflated) write them. A tree is written with its keys joined by <c>/</c>; Python scalars
/// and numpy scalars become 0-d arrays and strings 0-d unicode arrays, as <c>savez</c> would store them.
/// </summary>
internal static class NpzFile
{
    public const char Separator = '/';

    public static void Write(string path, StateNode tree, ConversionReport report)
    {
        var members = new List<(string Name, Action<Stream> Write)>();
        foreach ((string name, string leafPath, StateNode node) in FlatTree.Flatten(tree, Separator, report))
        {
            Action<Stream>? write = Member(node, leafPath, report);
            if (write is not null)
            {
                members.Add((name, write));
            }
        }

        if (report.HasDropped)
        {
            return;
        }

        AtomicWrite.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach ((string name, Action<Stream> write) in members)
            {
                // Stored, not deflated, as numpy.savez writes: members can be memory-mapped and load fast.
                ZipArchiveEntry entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
                using Stream member = entry.Open();
                write(member);
            }
        });
    }

    public static StateNode Read(string path, ConversionReport report)
    {
        using ZipArchive zip = OpenZip(path);
        var items = new List<(string, StateNode)>();
        foreach (ZipArchiveEntry entry in EntriesOf(zip))
        {
            if (entry.FullName.EndsWith('/'))
            {
                continue;
            }

            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
            {
                report.Dropped(entry.FullName, "not a .npy member");
                continue;
            }

            string name = entry.FullName[..^4];
            StateNode? node;
            try
            {
                using Stream member = entry.Open();
                node = NpyFormat.Read(member, entry.Length, out string? unsupported);
                if (node is null)
                {
                    report.Dropped(name, unsupported!);
                    continue;
                }
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException($"member '{entry.FullName}': {e.Message}");
            }
            catch (CheckpointFormatException e)
            {
                throw new CheckpointFormatException($"member '{entry.FullName}': {e.Message}");
            }

            items.Add((name, node));
        }

        return FlatTree.Nest(items, Separator);
    }

    // The central directory is read on first use of Entries, so a damaged one throws here, not in OpenRead.
    private static IReadOnlyCollection<ZipArchiveEntry> EntriesOf(ZipArchive zip)
    {
        try
        {
            return zip.Entries;
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException($"not a zip archive: {e.Message}");
        }
    }

    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException($"not a zip archive: {e.Message}");
        }
    }

    private static Action<Stream>? Member(StateNode node, string path, ConversionReport report)
    {
        object? value = (node as StateValue)?.Value;
        switch (value)
        {
            case NdArray array when NpyFormat.Supports(array.DType):
                return s => NpyFormat.WriteArray(s, array);
            case NdArray array when array.DType.Kind == DTypeKind.Float:
                report.Changed(path, $"numpy has no {array.DType}: stored as float32 (exactly)");
                return s => NpyFormat.WriteArray(s, ToFloat32(array));
            case NumpyScalar scalar when NpyFormat.Supports(scalar.DType):
                report.Changed(path, $"a numpy {scalar.DType} scalar, stored as a 0-d array");
                return s => NpyFormat.WriteArray(s, scalar.ToNdArray());
            case NumpyScalar scalar:
                report.Changed(path, $"a numpy {scalar.DType} scalar, stored as a 0-d float32 array (numpy has no {scalar.DType})");
                return s => NpyFormat.WriteArray(s, ToFloat32(scalar.ToNdArray()));
            case long l:
                report.Changed(path, "an int, stored as a 0-d int64 array");
                return s => NpyFormat.WriteArray(s, NdArray.Scalar(l));
            case ulong u:
                report.Changed(path, "an int, stored as a 0-d uint64 array");
                return s => NpyFormat.WriteArray(s, NdArray.Scalar(u));
            case double d:
                report.Changed(path, "a float, stored as a 0-d float64 array");
                return s => NpyFormat.WriteArray(s, NdArray.Scalar(d));
            case bool b:
                report.Changed(path, "a bool, stored as a 0-d bool array");
                return s => NpyFormat.WriteArray(s, NdArray.Scalar(b));
            case System.Numerics.Complex c:
                report.Changed(path, "a complex, stored as a 0-d complex128 array");
                return s => NpyFormat.WriteArray(s, NdArray.Scalar(c));
            case string text:
                return s => NpyFormat.WriteString(s, text);
            case byte[] bytes:
                report.Changed(path, "bytes, stored as a uint8 array");
                return s => NpyFormat.WriteArray(s, NdArray.FromBytes(DType.UInt8, new Shape((long)bytes.Length), bytes));
            default:
                report.Dropped(path, node is StateMap ? "an empty map (npz holds arrays only)" : $"npz cannot hold {Trees.Leaf.KindName(node.Kind)} values without pickle");
                return null;
        }
    }

    private static NdArray ToFloat32(NdArray array)
    {
        var values = new float[array.Length];
        var buffer = new double[Math.Min(Trees.ElementReader.Window, Math.Max(1, array.Length))];
        for (long start = 0; start < array.Length; start += buffer.Length)
        {
            Span<double> window = buffer.AsSpan(0, (int)Math.Min(buffer.Length, array.Length - start));
            Trees.ElementReader.Read(array, start, window);
            for (int i = 0; i < window.Length; i++)
            {
                values[start + i] = (float)window[i];
            }
        }

        return NdArray.FromArray(values, array.Shape);
    }
}
