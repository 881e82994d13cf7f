using System.CommandLine;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Storage;
using BrainTools.Checkpoint.Cli.Trees;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary><c>ckpt check FILE --like OTHER</c>: would FILE restore into the structure of OTHER, and if not, why (<see cref="Msgpack.Reconcile"/>).</summary>
internal static class CheckCommand
{
    public const string Examples = """
          ckpt check old_run.msgpack --like new_model_template.msgpack
          ckpt check https://acct.blob.core.windows.net/runs/step_9.msgpack --like template.msgpack
        """;

    public static Command Create(Terminal terminal, Option<string?> connection)
    {
        var file = new Argument<string>("FILE") { Description = "The checkpoint to restore (a file or blob URL)." };
        var like = new Option<string>("--like") { Description = "A checkpoint with the structure to restore into (a template saved from the model).", Required = true, HelpName = "OTHER" };
        var command = new Command("check", "What a restore of FILE into the structure of OTHER would find, as the library's reconciliation report gives it: keys missing from FILE, unexpected keys in FILE (a restore ignores them), and leaves whose type, dtype, shape or unit differ. Exit 1 when something is missing or mismatched.")
        {
            file, like,
        };
        command.SetAction(result => Run(terminal, Locations.From(result.GetValue(connection)), result.GetValue(file)!, result.GetValue(like)!));
        return command;
    }

    private static int Run(Terminal terminal, Locations locations, string file, string like)
    {
        StateNode state = Inputs.Load(terminal, locations, file);
        StateNode target = Inputs.Load(terminal, locations, like);
        file = Locations.Display(file);
        like = Locations.Display(like);
        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(target, state);
        if (differences.Count > 0)
        {
            terminal.Table(
                ["difference", "path", "expected", "actual"],
                differences.Select(d => new[] { d.Kind.ToString().ToLowerInvariant(), LeafPath.FromBraintools(d.Path), d.Expected, d.Actual }).ToList());
        }

        int missing = differences.Count(d => d.Kind == CheckpointDifferenceKind.Missing);
        int unexpected = differences.Count(d => d.Kind == CheckpointDifferenceKind.Unexpected);
        int mismatched = differences.Count - missing - unexpected;
        if (missing + mismatched == 0)
        {
            string note = unexpected == 0 ? string.Empty : $" ({Terminal.Count(unexpected, "unexpected key", "unexpected keys")} in {file}, ignored by a restore)";
            terminal.Line($"{file} fits the structure of {like}{note}");
            return ExitCodes.Ok;
        }

        terminal.Line($"{file} does not fit the structure of {like}: {missing} missing, {unexpected} unexpected, {mismatched} mismatched");
        return ExitCodes.Failed;
    }
}
