using System.IO.Compression;
using System.Numerics;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint;

/// <summary>
/// Writes a tree as a numpy <c>.npz</c> archive, as <c>numpy.savez</c> does (stored members, not deflated): keys
/// joined by <c>/</c>, Python and numpy scalars as 0-d arrays, strings as 0-d unicode arrays. bfloat16 and float8
/// arrays (ml_dtypes' types, which numpy cannot read without it) are stored as float32, exactly.
/// </summary>
internal static class NpzWriter
{
    public static ConversionReport Save(ICheckpointStore store, string objectName, StateNode tree, bool overwrite, TensorFileOptions options)
    {
        var report = new ConversionReport();
        var members = new List<(string Name, Action<Stream> Write)>();
        foreach ((string name, TreePath treePath, StateNode node) in FlatNames.Flatten(tree, Npz.Separator, report))
        {
            if (Member(node, treePath.ToString(), report) is Action<Stream> write)
            {
                members.Add((name, write));
            }
        }

        if (report.HasDropped && !options.AllowLossy)
        {
            throw new LossyConversionException(store.Locate(objectName), "npz", report);
        }

        StoreWrite.Write(store, objectName, StoreWrite.Overwriting(overwrite), stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach ((string name, Action<Stream> write) in members)
            {
                // Stored, not deflated, as numpy.savez writes: members can be memory-mapped and load fast.
                ZipArchiveEntry entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
                using Stream member = entry.Open();
                write(ProgressStream.Wrap(member, options.Progress));
            }
        });
        return report;
    }

    private static Action<Stream>? Member(StateNode node, string path, ConversionReport report)
    {
        switch ((node as StateValue)?.Value)
        {
            case NdArray array when NpyFormat.Supports(array.DType):
                return s => NpyFormat.WriteArray(s, array);
            case NdArray array when array.DType.Kind == DTypeKind.Float:
                report.Changed(path, $"numpy has no {array.DType}: stored as float32 (exactly)");
                return s => NpyFormat.WriteArray(s, array.AsType(DType.Float32));
            case NumpyScalar scalar when NpyFormat.Supports(scalar.DType):
                report.Changed(path, $"a numpy {scalar.DType} scalar, stored as a 0-d array");
                return s => NpyFormat.WriteArray(s, scalar.ToNdArray());
            case NumpyScalar scalar:
                report.Changed(path, $"a numpy {scalar.DType} scalar, stored as a 0-d float32 array (numpy has no {scalar.DType})");
                return s => NpyFormat.WriteArray(s, scalar.ToNdArray().AsType(DType.Float32));
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
            case Complex c:
                report.Changed(path, "a complex, stored as a 0-d complex128 array");
                return s => NpyFormat.WriteArray(s, NdArray.Scalar(c));
            case string text:
                return s => NpyFormat.WriteString(s, text);
            case byte[] bytes:
                report.Changed(path, "bytes, stored as a uint8 array");
                return s => NpyFormat.WriteArray(s, NdArray.FromBytes(DType.UInt8, new Shape((long)bytes.Length), bytes));
            default:
                report.Dropped(path, node is StateMap ? "an empty map (npz holds arrays only)" : $"npz cannot hold {node.Kind.PythonName()} values without pickle");
                return null;
        }
    }
}
