using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Formats;
using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli.Storage;

/// <summary>Loads a tree from a blob: msgpack and safetensors straight from ranged reads, npz through a temporary download.</summary>
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

        // The npz reader takes a path (a zip archive): the blob is downloaded to a temporary file, deleted after.
        string temporary = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}{Path.GetExtension(name)}");
        try
        {
            terminal.WithProgress($"downloading {name}", source.Length, advance =>
            {
                Download(source, temporary, ProgressReporter.For(advance));
                return true;
            });
            return CheckpointFiles.Load(temporary, format, report);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Download(ICheckpointSource source, string path, IProgress<long>? progress)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        byte[] buffer = new byte[source.PreferredReadSize];
        for (long offset = 0; offset < source.Length;)
        {
            int read = source.ReadAt(offset, buffer);
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the blob ended at byte {offset} of {source.Length} while it was downloaded", source.Name, null);
            }

            file.Write(buffer, 0, read);
            offset += read;
            progress?.Report(read);
        }
    }
}
