using System.CommandLine;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Trees;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary>
/// <c>ckpt verify FILE...</c>: decodes every byte of each file and, where a <c>manifest.json</c> beside it records a
/// size and checksum, checks them; one line per file.
/// </summary>
internal static class VerifyCommand
{
    public const string Examples = """
          ckpt verify model.msgpack
          ckpt verify checkpoints/*.msgpack
        """;

    public static Command Create(Terminal terminal)
    {
        var files = new Argument<string[]>("FILE") { Description = "Checkpoint files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("verify", "Decode every byte of each file, check its structure and, where manifest.json beside it records one, its checksum. One line per file; exit 1 when any file is invalid.")
        {
            files,
        };
        command.SetAction(result => Run(terminal, result.GetValue(files)!));
        return command;
    }

    private static int Run(Terminal terminal, string[] files)
    {
        int failed = 0;
        foreach (string path in files)
        {
            (bool ok, string detail) = Verify(terminal, path);
            terminal.Status(ok ? "OK  " : "FAIL", ok, $"{path}  {detail}");
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

    private static (bool Ok, string Detail) Verify(Terminal terminal, string path)
    {
        CheckpointFormat format = FormatNames.FromPath(path);
        try
        {
            if (!File.Exists(path))
            {
                return (false, Directory.Exists(path) ? "is a directory, not a file" : "file not found");
            }

            long size = new FileInfo(path).Length;
            string checksumNote = "no checksum recorded";
            (long? Size, string? Checksum)? recorded = ChecksumManifest.Find(path, out string? problem);
            if (problem is not null)
            {
                checksumNote = problem;
            }

            if (recorded is { } entry)
            {
                if (entry.Size is long expectedSize && expectedSize != size)
                {
                    return (false, $"size mismatch: {ChecksumManifest.FileName} records {expectedSize} bytes, the file has {size}");
                }

                if (entry.Checksum is string expected)
                {
                    if (expected.StartsWith(ChecksumManifest.Algorithm + ":", StringComparison.Ordinal))
                    {
                        string actual = terminal.WithProgress($"hashing {Path.GetFileName(path)}", size, progress => ChecksumManifest.Compute(path, progress));
                        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                        {
                            return (false, $"checksum mismatch: {ChecksumManifest.FileName} records {expected}, the file has {actual}");
                        }

                        checksumNote = $"checksum {ChecksumManifest.Algorithm} ok";
                    }
                    else
                    {
                        checksumNote = $"checksum '{expected}' not checked (unknown algorithm)";
                    }
                }
            }

            var report = new ConversionReport();
            StateNode tree = terminal.WithProgress($"reading {Path.GetFileName(path)}", size, progress => CheckpointFiles.Load(path, format, report, progress));
            List<Leaf> leaves = TreeWalker.Leaves(tree);
            string unreadable = report.Notes.Count == 0 ? string.Empty : $", {report.Notes.Count} members the tool cannot read";
            return (true, $"{FormatNames.Name(format)}, {leaves.Count} {(leaves.Count == 1 ? "leaf" : "leaves")}, {Terminal.Bytes(size)}{unreadable}, {checksumNote}");
        }
        catch (InvalidCheckpointException e)
        {
            string where = e.TreePath is null ? string.Empty : $" at path {ShortPath(e.TreePath)}";
            return (false, Terminal.OneLine($"invalid checkpoint: {e.Reason}{where}"));
        }
        catch (CheckpointFormatException e)
        {
            return (false, Terminal.OneLine($"invalid {FormatNames.Name(format)} file: {e.Message}"));
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
