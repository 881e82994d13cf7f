namespace BrainTools.Checkpoint.Cli;

/// <summary>An error the tool reports as one line on stderr, exiting with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
