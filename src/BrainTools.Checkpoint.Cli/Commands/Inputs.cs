using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Cli.Output;
using BrainTools.Checkpoint.Cli.Storage;

namespace BrainTools.Checkpoint.Cli.Commands;

/// <summary>Loads the files and blobs named on the command line, turning every failure into one line that names the file or URL.</summary>
internal static class Inputs
{
    /// <exception cref="CliException">The file or blob is missing, unreadable or invalid.</exception>
    public static StateNode Load(Terminal terminal, Locations locations, string path, ConversionReport? report = null) =>
        Load(terminal, locations, path, FormatNames.FromPath(path), report);

    /// <exception cref="CliException">The file or blob is missing, unreadable or invalid.</exception>
    public static StateNode Load(Terminal terminal, Locations locations, string path, CheckpointFormat format, ConversionReport? report = null)
    {
        try
        {
            if (Locations.IsBlobUrl(path))
            {
                using var source = new BlobCheckpointSource(locations.Blob(path));
                return BlobInputs.Load(terminal, source, format, report ?? new ConversionReport());
            }

            long size = File.Exists(path) ? new FileInfo(path).Length : 0;
            return terminal.WithProgress($"reading {Path.GetFileName(path)}", size, advance => CheckpointFiles.Load(path, format, report ?? new ConversionReport(), ProgressReporter.For(advance)));
        }
        catch (Exception e) when (Describe(path, format, e) is string message)
        {
            throw new CliException(message);
        }
    }

    /// <summary>The one-line message for a failure to read <paramref name="path"/> (a URL shown without its query), or null for an unexpected exception.</summary>
    public static string? Describe(string path, CheckpointFormat format, Exception e)
    {
        path = Locations.Display(path);
        return e switch
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
}
