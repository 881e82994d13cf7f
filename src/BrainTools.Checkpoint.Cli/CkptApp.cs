using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using BrainTools.Checkpoint.Cli.Commands;
using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli;

/// <summary>The <c>ckpt</c> command line: its commands, help with examples, and exit codes (0 ok, 1 invalid or different, 2 usage).</summary>
internal static class CkptApp
{
    private const string ExitCodeHelp = """
        Exit codes:
          0  ok: valid, equal, fits
          1  invalid, missing or unreadable file; files differ; does not fit
          2  usage error
        """;

    public static int Run(string[] args)
    {
        Terminal terminal = Terminal.ForConsole();
        RootCommand root = Build(terminal);
        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0 && result.Action is ParseErrorAction or null)
        {
            foreach (System.CommandLine.Parsing.ParseError error in result.Errors)
            {
                terminal.Fail(error.Message);
            }

            terminal.Error.WriteLine($"Run 'ckpt {CommandPath(result)}--help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            terminal.Fail(e.Message);
            if (e.ExitCode == ExitCodes.Usage)
            {
                terminal.Error.WriteLine($"Run 'ckpt {CommandPath(result)}--help' for usage.");
            }

            return e.ExitCode;
        }
        catch (Exception e)
        {
            // One line, never a stack trace; CKPT_DEBUG=1 shows it for bug reports.
            terminal.Fail($"unexpected {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("CKPT_DEBUG") == "1")
            {
                terminal.Error.WriteLine(e);
            }

            return ExitCodes.Failed;
        }
    }

    public static RootCommand Build(Terminal terminal)
    {
        // Every command takes blob URLs where it takes files; their credentials are one option of them all.
        var connection = new Option<string?>("--connection-string")
        {
            Description = $"The Azure Storage connection string for blob URLs (default: ${Storage.Locations.ConnectionStringVariable}); not needed for a URL with a SAS token.",
            HelpName = "STRING",
            Recursive = true,
        };
        var root = new RootCommand("ckpt: inspect, diff, verify, check and convert braintools / flax msgpack checkpoints (and safetensors, numpy .npz), in files or Azure blobs (https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB).")
        {
            InspectCommand.Create(terminal, connection),
            DiffCommand.Create(terminal, connection),
            VerifyCommand.Create(terminal, connection),
            ConvertCommand.Create(terminal, connection),
            CheckCommand.Create(terminal, connection),
        };
        root.Options.Add(connection);

        var examples = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["inspect"] = InspectCommand.Examples,
            ["diff"] = DiffCommand.Examples,
            ["verify"] = VerifyCommand.Examples,
            ["convert"] = ConvertCommand.Examples,
            ["check"] = CheckCommand.Examples,
        };
        examples[root.Name] = string.Join(Environment.NewLine, examples.Values.Select(e => e.TrimEnd()));

        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ExamplesHelpAction((HelpAction)help.Action!, examples, ExitCodeHelp);
        return root;
    }

    private static string CommandPath(ParseResult result) =>
        result.CommandResult.Command is RootCommand ? string.Empty : result.CommandResult.Command.Name + " ";

    /// <summary>The usual help, then the command's examples and the exit codes.</summary>
    private sealed class ExamplesHelpAction(HelpAction inner, Dictionary<string, string> examples, string exitCodes) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            TextWriter output = parseResult.InvocationConfiguration.Output;
            if (examples.TryGetValue(parseResult.CommandResult.Command.Name, out string? text))
            {
                output.WriteLine("Examples:");
                output.WriteLine(text.TrimEnd());
                output.WriteLine();
            }

            output.WriteLine(exitCodes.TrimEnd());
            return code;
        }
    }
}
