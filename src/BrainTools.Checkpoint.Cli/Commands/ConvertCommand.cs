using System.CommandLine;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Storage;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary>
/// <c>ckpt convert IN OUT</c>: between braintools msgpack, safetensors and numpy npz. Every value the target holds
/// in another form is listed; values it cannot hold at all stop the conversion unless <c>--allow-lossy</c>. IN may be
/// a blob URL; OUT may be one for msgpack, written by <c>MsgpackBlob.SaveAsync</c>
/// (staged blocks, committed at the end: the blob is the old or the new checkpoint, never a mix).
/// </summary>
internal static class ConvertCommand
{
    public const string Examples = """
          ckpt convert model.msgpack model.safetensors
          ckpt convert model.msgpack weights.npz
          ckpt convert weights.npz model.msgpack
          ckpt convert model.msgpack out.bin --to safetensors --force
          ckpt convert model.safetensors https://acct.blob.core.windows.net/runs/model.msgpack
        """;

    public static Command Create(Terminal terminal, Option<string?> connection)
    {
        var input = new Argument<string>("IN") { Description = "The file or blob URL to read (format by extension: .safetensors, .npz, anything else msgpack)." };
        var output = new Argument<string>("OUT") { Description = "The file or blob URL to write." };
        var to = new Option<string?>("--to") { Description = $"The output format ({FormatNames.Choices}); by OUT's extension when not given.", HelpName = "FORMAT" };
        to.AcceptOnlyFromAmong("msgpack", "safetensors", "npz");
        var force = new Option<bool>("--force") { Description = "Replace OUT when it exists." };
        var lossy = new Option<bool>("--allow-lossy") { Description = "Write even when some values cannot be represented in the target; they are listed as dropped." };
        var command = new Command("convert", "Convert between braintools msgpack, safetensors (keys joined with '.', non-array leaves in __metadata__) and numpy .npz (keys joined with '/'). What the target cannot represent is listed, never silently dropped.")
        {
            input, output, to, force, lossy,
        };
        command.SetAction(result => Run(terminal, Locations.From(result.GetValue(connection)), result.GetValue(input)!, result.GetValue(output)!, result.GetValue(to), result.GetValue(force), result.GetValue(lossy)));
        return command;
    }

    private static int Run(Terminal terminal, Locations locations, string input, string output, string? to, bool force, bool allowLossy)
    {
        CheckpointFormat target = to is not null && FormatNames.TryParse(to, out CheckpointFormat chosen) ? chosen : FormatNames.FromPath(output);
        bool toBlob = Locations.IsBlobUrl(output);
        if (SameLocation(input, output))
        {
            throw new CliException("IN and OUT are the same file", ExitCodes.Usage);
        }

        if (!force && Exists(locations, output))
        {
            throw new CliException($"{Locations.Display(output)} exists; use --force to replace it");
        }

        var readReport = new ConversionReport();
        StateNode tree = Inputs.Load(terminal, locations, input, readReport);
        long writtenBytes = 0;
        ConversionReport writeReport = new();
        bool written = false;
        if (!readReport.HasDropped || allowLossy)
        {
            try
            {
                long bytes = Trees.TreeWalker.Leaves(tree).Sum(l => l.ByteSize);
                if (toBlob)
                {
                    // Staged blocks committed at the end: created only if still absent, unless --force.
                    (BlobCheckpointStore store, string name) = locations.Store(output);
                    writeReport = terminal.WithProgress($"writing {Locations.FileName(output)}", bytes, advance => CheckpointFiles.Save(store, name, target, tree, allowLossy, overwrite: force, ProgressReporter.For(advance)));
                    writtenBytes = store.Find(name)?.Length ?? 0;
                }
                else
                {
                    writeReport = terminal.WithProgress($"writing {Path.GetFileName(output)}", bytes, advance => CheckpointFiles.Save(output, target, tree, allowLossy, ProgressReporter.For(advance)));
                    writtenBytes = new FileInfo(output).Length;
                }

                written = true;
            }
            catch (LossyConversionException e)
            {
                writeReport = e.Report;
            }
            catch (CheckpointConflictException) when (toBlob)
            {
                throw new CliException($"{Locations.Display(output)} was created while it was written; nothing was replaced (use --force to replace it)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointException)
            {
                throw new CliException($"cannot write {Locations.Display(output)}: {Terminal.OneLine(e.Message)}");
            }
        }

        var notes = readReport.Notes.Select(n => (n.Path, n.Message, n.Dropped, Reading: true))
            .Concat(writeReport.Notes.Select(n => (n.Path, n.Message, n.Dropped, Reading: false))).ToList();
        if (notes.Count > 0)
        {
            terminal.Table(["note", "path", "detail"], notes.Select(n => new[]
            {
                n.Dropped ? (written ? "dropped" : "cannot store") : "changed",
                Trees.LeafPath.FromBraintools(n.Path),
                n.Reading ? $"{n.Message} (in {Locations.FileName(input)})" : n.Message,
            }).ToList());
        }

        int dropped = notes.Count(n => n.Dropped);
        if (!written)
        {
            terminal.Line($"nothing written: {dropped} {(dropped == 1 ? "value" : "values")} cannot be represented in {FormatNames.Name(target)}; --allow-lossy writes the rest");
            return ExitCodes.Failed;
        }

        int leaves = Trees.TreeWalker.Leaves(tree).Count;
        string lossNote = dropped == 0 ? string.Empty : $", {dropped} dropped";
        string changeNote = notes.Count - dropped == 0 ? string.Empty : $", {notes.Count - dropped} stored in another form";
        terminal.Line($"wrote {Locations.Display(output)} ({FormatNames.Name(target)}, {Terminal.Bytes(writtenBytes)}): {Terminal.Count(leaves, "leaf", "leaves")}{changeNote}{lossNote}");
        return ExitCodes.Ok;
    }

    private static bool SameLocation(string input, string output) =>
        Locations.IsBlobUrl(input) || Locations.IsBlobUrl(output)
            ? string.Equals(Locations.Display(input), Locations.Display(output), StringComparison.Ordinal)
            : Path.GetFullPath(input) == Path.GetFullPath(output);

    private static bool Exists(Locations locations, string output)
    {
        if (!Locations.IsBlobUrl(output))
        {
            return File.Exists(output);
        }

        try
        {
            using var existing = new BlobCheckpointSource(locations.Blob(output));
            return true;
        }
        catch (BlobCheckpointNotFoundException e) when (!string.Equals(e.ErrorCode, "ContainerNotFound", StringComparison.Ordinal))
        {
            return false;
        }
        catch (BlobCheckpointException e)
        {
            throw new CliException(Terminal.OneLine(e.Message));
        }
    }
}
