using System.CommandLine;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Trees;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary><c>ckpt check FILE --like OTHER</c>: would FILE restore into the structure of OTHER, and if not, why.</summary>
internal static class CheckCommand
{
    public const string Examples = """
          ckpt check old_run.msgpack --like new_model_template.msgpack
        """;

    public static Command Create(Terminal terminal)
    {
        var file = new Argument<string>("FILE") { Description = "The checkpoint to restore." };
        var like = new Option<string>("--like") { Description = "A checkpoint with the structure to restore into (a template saved from the model).", Required = true, HelpName = "OTHER" };
        var command = new Command("check", "What a restore of FILE into the structure of OTHER would find: keys missing from FILE, extra keys in FILE (a restore ignores them), and leaves whose type, dtype, shape or unit differ. Exit 1 when something is missing or mismatched.")
        {
            file, like,
        };
        command.SetAction(result => Run(terminal, result.GetValue(file)!, result.GetValue(like)!));
        return command;
    }

    private static int Run(Terminal terminal, string file, string like)
    {
        StateNode state = Inputs.Load(terminal, file);
        StateNode target = Inputs.Load(terminal, like);
        List<StructureIssue> issues = StructureComparison.Compare(target, state);
        int blocking = issues.Count(i => i.Kind != StructureIssue.Extra);
        if (issues.Count > 0)
        {
            terminal.Table(["finding", "path", "detail"], issues.Select(i => new[] { i.Kind, i.Path, i.Detail }).ToList());
        }

        int missing = issues.Count(i => i.Kind == StructureIssue.Missing);
        int extra = issues.Count(i => i.Kind == StructureIssue.Extra);
        int mismatched = issues.Count(i => i.Kind == StructureIssue.Mismatch);
        if (blocking == 0)
        {
            string note = extra == 0 ? string.Empty : $" ({extra} extra {(extra == 1 ? "key" : "keys")} in {file}, ignored by a restore)";
            terminal.Line($"{file} fits the structure of {like}{note}");
            return ExitCodes.Ok;
        }

        terminal.Line($"{file} does not fit the structure of {like}: {missing} missing, {extra} extra, {mismatched} mismatched");
        return ExitCodes.Failed;
    }
}
