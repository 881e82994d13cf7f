using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli.Storage;

/// <summary>Loads a tree from a blob, in any format, straight from ranged reads.</summary>
internal static class BlobInputs
{
    /// <summary>The tree in <paramref name="source"/>'s blob, in <paramref name="format"/>.</summary>
    /// <exception cref="InvalidCheckpointException">Not valid in its format (for msgpack, naming the blob URL).</exception>
    /// <exception cref="BlobCheckpointException">The service refused or could not be reached; names the blob URL.</exception>
    public static StateNode Load(Terminal terminal, ICheckpointSource source, CheckpointFormat format, ConversionReport report)
    {
        string name = Path.GetFileName(source.Name);
        if (format == CheckpointFormat.Msgpack)
        {
            return terminal.WithProgress($"reading {name}", source.Length, advance =>
                Msgpack.Load(source, MsgpackOptions.Default with { Progress = ProgressReporter.For(advance) }));
        }

        if (format == CheckpointFormat.Safetensors)
        {
            return terminal.WithProgress($"reading {name}", source.Length, advance =>
            {
                // The reader disposes the source when done; the caller's dispose after it does nothing more.
                using SafetensorsReader reader = Safetensors.Open(source, new TensorFileOptions { Progress = ProgressReporter.For(advance) });
                return reader.ReadTree();
            });
        }

        return terminal.WithProgress($"reading {name}", source.Length, advance =>
        {
            // Ranged reads of the zip directory, then of each member; members a tree cannot hold go to the report.
            using NpzArchive archive = Npz.Open(source, new TensorFileOptions { Progress = ProgressReporter.For(advance), AllowLossy = true });
            return archive.ReadTree(report);
        });
    }
}
