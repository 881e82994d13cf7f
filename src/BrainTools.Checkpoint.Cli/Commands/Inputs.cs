using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary>Loads the files named on the command line, turning every failure into one line that names the file.</summary>
internal static class Inputs
{
    /// <exception cref="CliException">The file is missing, unreadable or invalid.</exception>
    public static StateNode Load(Terminal terminal, string path, ConversionReport? report = null) => Load(terminal, path, FormatNames.FromPath(path), report);

    /// <exception cref="CliException">The file is missing, unreadable or invalid.</exception>
    public static StateNode Load(Terminal terminal, string path, CheckpointFormat format, ConversionReport? report = null)
    {
        try
        {
            long size = File.Exists(path) ? new FileInfo(path).Length : 0;
            return terminal.WithProgress($"reading {Path.GetFileName(path)}", size, advance => CheckpointFiles.Load(path, format, report ?? new ConversionReport(), ProgressReporter.For(advance)));
        }
        catch (Exception e) when (Describe(path, format, e) is string message)
        {
            throw new CliException(message);
        }
    }

    /// <summary>The one-line message for a failure to read <paramref name="path"/>, or null for an unexpected exception.</summary>
    public static string? Describe(string path, CheckpointFormat format, Exception e) => e switch
    {
        FileNotFoundException f => f.Message,
        DirectoryNotFoundException => $"file not found: {path}",
        UnauthorizedAccessException => $"cannot read {path}: permission denied",
        InvalidCheckpointException invalid => Terminal.OneLine(CheckpointFiles.Describe(path, format, invalid)),
        CheckpointException checkpoint => Terminal.OneLine(checkpoint.Message),
        IOException io => $"cannot read {path}: {Terminal.OneLine(io.Message)}",
        _ => null,
    };
}
