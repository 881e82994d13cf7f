using System.CommandLine;
using System.Text.Json;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Storage;
using BrainTools.Checkpoint.Cli.Trees;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary><c>ckpt inspect FILE</c>: the tree, one row per leaf, with statistics for arrays and totals.</summary>
internal static class InspectCommand
{
    public const string Examples = """
          ckpt inspect model.msgpack
          ckpt inspect model.msgpack --depth 1
          ckpt inspect model.msgpack --filter 'encoder/**'
          ckpt inspect model.safetensors --json | jq .totals
          ckpt inspect weights.npz --filter 'layers/0/*'
          ckpt inspect https://acct.blob.core.windows.net/runs/step_1000.msgpack --filter 'encoder/**'
        """;

    private static readonly string[] Headers = ["path", "type", "dtype", "shape", "size", "min", "max", "mean", "nan", "value"];

    public static Command Create(Terminal terminal, Option<string?> connection)
    {
        var file = new Argument<string>("FILE") { Description = "A checkpoint: .msgpack (or any other extension), .safetensors or .npz; a file or a blob URL." };
        var depth = new Option<int?>("--depth") { Description = "Show keys down to this depth; deeper parts are summed up in one row per group." };
        var filter = new Option<string?>("--filter") { Description = "Only leaves whose path matches the glob: * within a key, ** across keys; a pattern without / matches any key.", HelpName = "GLOB" };
        var json = new Option<bool>("--json") { Description = "Machine-readable JSON on stdout instead of the table." };
        var command = new Command("inspect", "Show the tree of a checkpoint: per leaf its path, dtype, shape, size and, for arrays, min / max / mean / NaN count; quantities with their unit; totals.")
        {
            file, depth, filter, json,
        };
        command.SetAction(result => Run(terminal, Locations.From(result.GetValue(connection)), result.GetValue(file)!, result.GetValue(depth), result.GetValue(filter), result.GetValue(json)));
        return command;
    }

    private static int Run(Terminal terminal, Locations locations, string path, int? depth, string? pattern, bool json)
    {
        if (depth is < 0)
        {
            throw new CliException("--depth must be 0 or more", ExitCodes.Usage);
        }

        Glob? glob = pattern is null ? null : new Glob(pattern);
        CheckpointFormat format = FormatNames.FromPath(path);
        CheckpointReader? reader = null;
        SafetensorsReader? tensors = null;
        NpzArchive? archive = null;
        try
        {
            List<Leaf> leaves;
            bool blob = Locations.IsBlobUrl(path);
            if (format == CheckpointFormat.Msgpack)
            {
                // The lazy reader: only the index is read here; arrays are read below, those shown, each once. From a
                // blob, that is ranged reads of the index and of each array shown.
                if (!blob)
                {
                    CheckpointFiles.ThrowIfMissing(path);
                }

                reader = blob ? Msgpack.Open(new BlobCheckpointSource(locations.Blob(path))) : Msgpack.Open(path);
                leaves = EntryWalker.Leaves(reader, p => glob is null || glob.IsMatch(p));
            }
            else if (format == CheckpointFormat.Safetensors)
            {
                // The header alone; the arrays shown are read below, each once (from a blob: one ranged read each).
                if (!blob)
                {
                    CheckpointFiles.ThrowIfMissing(path);
                }

                tensors = blob ? Safetensors.Open(new BlobCheckpointSource(locations.Blob(path))) : Safetensors.Open(path);
                leaves = TreeWalker.Leaves(tensors.ReadTree(readOnFirstUse: true));
            }
            else
            {
                // The zip directory and each member's .npy header; the arrays shown are inflated below, each once (from
                // a blob: ranged reads, no download). Members a tree cannot hold are left out, as a load leaves them.
                if (!blob)
                {
                    CheckpointFiles.ThrowIfMissing(path);
                }

                var options = new TensorFileOptions { AllowLossy = true };
                archive = blob ? Npz.Open(new BlobCheckpointSource(locations.Blob(path)), options) : Npz.Open(path, options);
                leaves = TreeWalker.Leaves(archive.ReadTree(readOnFirstUse: true));
            }

            leaves = leaves.Where(l => glob is null || glob.IsMatch(l.Path)).ToList();
            List<Row> rows = Group(leaves, depth);
            List<Leaf> shown = rows.Where(r => r.Leaf?.Array is not null).Select(r => r.Leaf!).ToList();
            Dictionary<Leaf, ArrayStatistics> stats = terminal.WithProgress("computing statistics", shown.Sum(l => l.Array!.ByteLength), progress =>
                shown.ToDictionary<Leaf, Leaf, ArrayStatistics>(l => l, l => ArrayStatistics.Compute(l.Array!.Read(), progress), ReferenceEqualityComparer.Instance));

            long fileSize = reader?.FileLength ?? tensors?.FileLength ?? archive!.FileLength;
            path = Locations.Display(path);
            var totals = (Leaves: leaves.Count, Parameters: leaves.Sum(l => l.Parameters), Bytes: leaves.Sum(l => l.ByteSize));
            if (json)
            {
                WriteJson(terminal.Out, path, fileSize, reader?.BytesTouched ?? tensors?.BytesRead ?? archive?.BytesRead, rows, stats, totals);
                return ExitCodes.Ok;
            }

            terminal.Line($"{path}  {FormatNames.Name(format)}  {Terminal.Bytes(fileSize)}");
            // On a narrow terminal, type goes first (dtype says most of it), then NaN count, size, mean, min and max.
            terminal.Table(Headers, rows.Select(r => Cells(r, stats)).ToList(), new HashSet<int> { 4, 5, 6, 7, 8 }, [1, 8, 4, 7, 5, 6]);
            string filtered = glob is null ? string.Empty : $" matching {glob.Pattern}";
            terminal.Line($"{totals.Leaves} {(totals.Leaves == 1 ? "leaf" : "leaves")}{filtered}, {totals.Parameters:N0} parameters, {Terminal.Bytes(totals.Bytes)}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not CliException && Inputs.Describe(path, format, e) is string message)
        {
            throw new CliException(message);
        }
        finally
        {
            reader?.Dispose();
            tensors?.Dispose();
            archive?.Dispose();
        }
    }

    // A leaf, or a group of leaves below --depth shown as one row.
    private sealed record Row(string Path, Leaf? Leaf, int Leaves, long Parameters, long Bytes);

    private static List<Row> Group(List<Leaf> leaves, int? depth)
    {
        var rows = new List<Row>();
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Leaf leaf in leaves)
        {
            if (depth is not int max || LeafPath.Depth(leaf.Path) <= max)
            {
                rows.Add(new Row(leaf.Path, leaf, 1, leaf.Parameters, leaf.ByteSize));
            }
            else
            {
                Add(max == 0 ? LeafPath.Root : string.Join('/', leaf.Path.Split('/')[..max]) + "/", leaf);
            }
        }

        return rows;

        void Add(string group, Leaf leaf)
        {
            if (groups.TryGetValue(group, out int index))
            {
                Row row = rows[index];
                rows[index] = row with { Leaves = row.Leaves + 1, Parameters = row.Parameters + leaf.Parameters, Bytes = row.Bytes + leaf.ByteSize };
            }
            else
            {
                groups[group] = rows.Count;
                rows.Add(new Row(group, null, 1, leaf.Parameters, leaf.ByteSize));
            }
        }
    }

    private static string[] Cells(Row row, Dictionary<Leaf, ArrayStatistics> stats)
    {
        if (row.Leaf is not Leaf leaf)
        {
            return [row.Path, "group", string.Empty, string.Empty, Terminal.Bytes(row.Bytes), string.Empty, string.Empty, string.Empty, string.Empty, $"{row.Leaves} {(row.Leaves == 1 ? "leaf" : "leaves")}, {row.Parameters:N0} parameters"];
        }

        string min = string.Empty, max = string.Empty, mean = string.Empty, nan = string.Empty;
        if (stats.TryGetValue(leaf, out ArrayStatistics? s))
        {
            min = s.Min is double a ? Terminal.Number(a) : "-";
            max = s.Max is double b ? Terminal.Number(b) : "-";
            mean = s.Mean is double c ? Terminal.Number(c) : "-";
            nan = s.NaNCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return [leaf.Path, leaf.TypeName, leaf.DTypeName, leaf.ShapeText, Terminal.Bytes(leaf.ByteSize), min, max, mean, nan, ValueText(leaf)];
    }

    /// <summary>The value of a scalar leaf as Python prints it, with its unit for a quantity: <c>10 ms</c>, <c>'relu'</c>.</summary>
    public static string ValueText(Leaf leaf)
    {
        // An array's values are summed up in the statistics columns; a quantity's unit says what they are in.
        if (leaf.Array is not null)
        {
            return leaf.Unit is null ? string.Empty : $"in {leaf.Unit}";
        }

        if (leaf.Value is null)
        {
            return "{}";
        }

        // A scalar quantity as the library displays it (10 ms), other values as Python's repr (0.001, 10.0, 'relu').
        string text = leaf.Quantity?.ToString() ?? leaf.Value.ToString();
        return text.Length > 48 ? text[..45] + "..." : text;
    }

    private static void WriteJson(TextWriter output, string path, long fileSize, long? bytesRead, List<Row> rows, Dictionary<Leaf, ArrayStatistics> stats, (int Leaves, long Parameters, long Bytes) totals)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("file", path);
            json.WriteString("format", FormatNames.Name(FormatNames.FromPath(path)));
            json.WriteNumber("file_size", fileSize);
            if (bytesRead is long read)
            {
                // What the lazy reader read: the index and the arrays shown, each once.
                json.WriteNumber("bytes_read", read);
            }

            json.WriteStartArray("leaves");
            foreach (Row row in rows)
            {
                json.WriteStartObject();
                json.WriteString("path", row.Path);
                if (row.Leaf is not Leaf leaf)
                {
                    json.WriteString("type", "group");
                    json.WriteNumber("leaves", row.Leaves);
                    json.WriteNumber("parameters", row.Parameters);
                    json.WriteNumber("size", row.Bytes);
                    json.WriteEndObject();
                    continue;
                }

                json.WriteString("type", leaf.TypeName);
                json.WriteString("dtype", leaf.DTypeName);
                if (leaf.Array is LeafArray array)
                {
                    json.WriteStartArray("shape");
                    foreach (long d in array.Shape)
                    {
                        json.WriteNumberValue(d);
                    }

                    json.WriteEndArray();
                }
                else
                {
                    json.WriteNull("shape");
                }

                json.WriteNumber("size", leaf.ByteSize);
                json.WriteNumber("parameters", leaf.Parameters);
                if (stats.TryGetValue(leaf, out ArrayStatistics? s))
                {
                    WriteNumber(json, "min", s.Min);
                    WriteNumber(json, "max", s.Max);
                    WriteNumber(json, "mean", s.Mean);
                    json.WriteNumber("nan_count", s.NaNCount);
                }
                else if (leaf.Value is not null)
                {
                    WriteValue(json, leaf.Value);
                }

                if (leaf.Unit is not null)
                {
                    json.WriteString("unit", leaf.Unit.ToString());
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("totals");
            json.WriteNumber("leaves", totals.Leaves);
            json.WriteNumber("parameters", totals.Parameters);
            json.WriteNumber("bytes", totals.Bytes);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    // JSON has no NaN or infinity: those are written as the strings "nan", "inf", "-inf".
    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is not double d)
        {
            json.WriteNull(name);
        }
        else if (double.IsFinite(d))
        {
            json.WriteNumber(name, d);
        }
        else
        {
            json.WriteString(name, Terminal.Number(d));
        }
    }

    private static void WriteValue(Utf8JsonWriter json, StateValue value)
    {
        switch (value.Value)
        {
            case null: json.WriteNull("value"); break;
            case bool b: json.WriteBoolean("value", b); break;
            case long l: json.WriteNumber("value", l); break;
            case ulong u: json.WriteNumber("value", u); break;
            case double d: WriteNumber(json, "value", d); break;
            case string s: json.WriteString("value", s); break;
            case NumpyScalar n when n.DType.Kind != DTypeKind.Complex: WriteNumber(json, "value", n.ToDouble()); break;
            default: json.WriteString("value", value.ToString()); break;
        }
    }
}
