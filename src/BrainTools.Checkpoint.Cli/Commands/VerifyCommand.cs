using System.CommandLine;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Storage;
using BrainTools.Checkpoint.Cli.Trees;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary>
/// <c>ckpt verify FILE...</c>: decodes every byte of each file and, where a <c>manifest.json</c> beside it records a
/// size and checksum, checks them; one line per file. A blob URL is decoded the same way (its bytes read by ranged
/// reads); no manifest is looked for beside a blob.
/// </summary>
internal static class VerifyCommand
{
    public const string Examples = """
          ckpt verify model.msgpack
          ckpt verify checkpoints/*.msgpack
          ckpt verify https://acct.blob.core.windows.net/runs/step_1000.msgpack
        """;

    public static Command Create(Terminal terminal, Option<string?> connection)
    {
        var files = new Argument<string[]>("FILE") { Description = "Checkpoint files or blob URLs.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("verify", "Decode every byte of each file, check its structure and, where manifest.json beside it records one, its checksum. One line per file; exit 1 when any file is invalid.")
        {
            files,
        };
        command.SetAction(result => Run(terminal, Locations.From(result.GetValue(connection)), result.GetValue(files)!));
        return command;
    }

    private static int Run(Terminal terminal, Locations locations, string[] files)
    {
        int failed = 0;
        foreach (string path in files)
        {
            (bool ok, string detail) = Verify(terminal, locations, path);
            terminal.Status(ok ? "OK  " : "FAIL", ok, $"{Locations.Display(path)}  {detail}");
            if (!ok)
            {
                failed++;
            }
        }

        if (files.Length > 1)
        {
            terminal.Line($"{files.Length - failed} of {files.Length} files valid");
        }

        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static (bool Ok, string Detail) Verify(Terminal terminal, Locations locations, string path)
    {
        CheckpointFormat format = FormatNames.FromPath(path);
        try
        {
            if (Locations.IsBlobUrl(path))
            {
                // The manifest of a checkpoint manager beside the blob (same prefix) is checked as beside a file.
                (BlobCheckpointStore store, string blobName) = locations.Store(path);
                using ICheckpointSource source = store.OpenRead(blobName);
                (bool blobIntact, string blobNote) = (true, $"no checksum checked ({CheckpointManifestName} beside it is not readable with these credentials)");
                try
                {
                    ChecksumVerification blobCheck = terminal.WithProgress($"hashing {blobName}", source.Length, advance => CheckpointManager.Verify(store, blobName, ProgressReporter.For(advance)));
                    (blobIntact, blobNote) = ChecksumNote(blobCheck, "blob");
                }
                catch (BlobCheckpointAccessDeniedException e) when (e.BlobUri.ToString() == store.Locate(CheckpointManifestName))
                {
                    // A SAS for this blob alone: the checkpoint is still checked, without the manifest.
                }

                if (!blobIntact)
                {
                    return (false, blobNote);
                }

                var blobReport = new ConversionReport();
                StateNode blobTree = BlobInputs.Load(terminal, source, format, blobReport);
                return (true, Summary(format, TreeWalker.Leaves(blobTree).Count, source.Length, blobReport, blobNote));
            }

            if (!File.Exists(path))
            {
                return (false, Directory.Exists(path) ? "is a directory, not a file" : "file not found");
            }

            long size = new FileInfo(path).Length;
            ChecksumVerification check = terminal.WithProgress($"hashing {Path.GetFileName(path)}", size, advance => CheckpointManager.VerifyFile(path, ProgressReporter.For(advance)));
            (bool intact, string checksumNote) = ChecksumNote(check, "file");
            if (!intact)
            {
                return (false, checksumNote);
            }

            var report = new ConversionReport();
            StateNode tree = terminal.WithProgress($"reading {Path.GetFileName(path)}", size, advance => CheckpointFiles.Load(path, format, report, ProgressReporter.For(advance)));
            return (true, Summary(format, TreeWalker.Leaves(tree).Count, size, report, checksumNote));
        }
        catch (InvalidCheckpointException e)
        {
            string where = e.TreePath is null ? string.Empty : $" at path {ShortPath(e.TreePath)}";
            string what = format == CheckpointFormat.Msgpack ? "invalid checkpoint" : $"invalid {FormatNames.Name(format)} file";
            return (false, Terminal.OneLine($"{what}: {e.Reason}{where}"));
        }
        catch (Exception e) when (Inputs.Describe(path, format, e) is string message)
        {
            return (false, message);
        }
        catch (Exception e)
        {
            // Never a stack trace: whatever went wrong is one line.
            return (false, Terminal.OneLine($"unexpected {e.GetType().Name}: {e.Message}"));
        }
    }

    private const string CheckpointManifestName = "manifest.json";

    // What the manifest says of the checkpoint: a failure, or the note of a summary.
    private static (bool Intact, string Note) ChecksumNote(ChecksumVerification check, string what)
    {
        string manifest = Locations.FileName(check.ManifestPath);
        return check.Status switch
        {
            ChecksumStatus.SizeMismatch => (false, $"size mismatch: {manifest} records {check.RecordedSize} bytes, the {what} has {check.ActualSize}"),
            ChecksumStatus.ChecksumMismatch => (false, $"checksum mismatch: {manifest} records {check.RecordedChecksum}, the {what} has {check.ActualChecksum}"),
            ChecksumStatus.Ok => (true, $"checksum {check.RecordedChecksum?.Split(':')[0]} ok"),
            ChecksumStatus.UnknownAlgorithm => (true, $"checksum '{check.RecordedChecksum}' not checked (unknown algorithm)"),
            ChecksumStatus.ManifestUnreadable => (true, $"cannot read {Locations.Display(check.ManifestPath)} as a checkpoint manager's manifest"),
            _ => (true, "no checksum recorded"),
        };
    }

    private static string Summary(CheckpointFormat format, int leaves, long size, ConversionReport report, string checksumNote)
    {
        string unreadable = report.Notes.Count == 0 ? string.Empty : $", {report.Notes.Count} members the library cannot read";
        return $"{FormatNames.Name(format)}, {leaves} {(leaves == 1 ? "leaf" : "leaves")}, {Terminal.Bytes(size)}{unreadable}, {checksumNote}";
    }

    // A path 1000 keys deep (a nesting bomb) would make a line of kilobytes: keep both ends.
    private static string ShortPath(string path)
    {
        const int Keep = 40;
        if (path.Length <= 2 * Keep + 10)
        {
            return path;
        }

        int depth = path.Count(c => c == '/');
        return $"{path[..Keep]}...{path[^Keep..]} ({depth} keys deep)";
    }
}
