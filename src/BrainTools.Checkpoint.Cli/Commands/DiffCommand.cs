using System.CommandLine;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Storage;
using BrainTools.Checkpoint.Cli.Trees;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary><c>ckpt diff A B</c>: the library's reconciliation of the two trees (keys only in one file, dtype / shape / unit / type changes), then value differences beyond a tolerance.</summary>
internal static class DiffCommand
{
    public const string Examples = """
          ckpt diff step_1000.msgpack step_2000.msgpack
          ckpt diff model.msgpack model.safetensors --atol 1e-6
          ckpt diff a.npz b.npz --rtol 1e-3 && echo same
          ckpt diff https://acct.blob.core.windows.net/runs/step_1000.msgpack step_1000.msgpack
        """;

    public static Command Create(Terminal terminal, Option<string?> connection)
    {
        var a = new Argument<string>("A") { Description = "The first file (or blob URL)." };
        var b = new Argument<string>("B") { Description = "The second file (or blob URL)." };
        var atol = new Option<double>("--atol") { Description = "Absolute tolerance for array and number values (default 0: exact).", DefaultValueFactory = _ => 0 };
        var rtol = new Option<double>("--rtol") { Description = "Relative tolerance: values are equal when |a - b| <= atol + rtol * |b| (default 0).", DefaultValueFactory = _ => 0 };
        var command = new Command("diff", "Compare two checkpoints: keys only in A or B, dtype, shape and unit changes, and for arrays of equal shape the max absolute and relative difference. Exit 0 when equal within tolerance, 1 when different.")
        {
            a, b, atol, rtol,
        };
        command.SetAction(result => Run(terminal, Locations.From(result.GetValue(connection)), result.GetValue(a)!, result.GetValue(b)!, result.GetValue(atol), result.GetValue(rtol)));
        return command;
    }

    private static int Run(Terminal terminal, Locations locations, string a, string b, double atol, double rtol)
    {
        if (!(atol >= 0) || !(rtol >= 0))
        {
            throw new CliException("--atol and --rtol must be 0 or more", ExitCodes.Usage);
        }

        StateNode left = Inputs.Load(terminal, locations, a);
        StateNode right = Inputs.Load(terminal, locations, b);
        List<TreeDifferences.Change> changes = TreeDifferences.Compare(left, right, atol, rtol);
        string tolerance = atol == 0 && rtol == 0 ? "exactly" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"within atol {atol:G6}, rtol {rtol:G6}");
        if (changes.Count == 0)
        {
            terminal.Line($"equal ({tolerance}): {Terminal.Count(TreeWalker.Leaves(left).Count, "leaf", "leaves")}");
            return ExitCodes.Ok;
        }

        terminal.Line($"A: {Locations.Display(a)}");
        terminal.Line($"B: {Locations.Display(b)}");
        terminal.Table(["change", "path", "A", "B"], changes.Select(c => new[] { c.Kind, c.Path, c.A, c.B }).ToList());
        var counts = changes.GroupBy(c => c.Kind).Select(g => $"{g.Count()} {g.Key}");
        terminal.Line($"different ({tolerance}): {changes.Count} {(changes.Count == 1 ? "difference" : "differences")} ({string.Join(", ", counts)})");
        return ExitCodes.Failed;
    }
}
