namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>Loads and saves a tree in any of the <see cref="CheckpointFormat"/>s, through the library's public calls.</summary>
internal static class CheckpointFiles
{
    /// <summary>Loads a tree; <paramref name="report"/> receives the npz members a tree cannot hold (they are left out).</summary>
    /// <exception cref="FileNotFoundException">No such file (or a directory).</exception>
    /// <exception cref="InvalidCheckpointException">The file is not valid in its format; the message names the file and where.</exception>
    public static StateNode Load(string path, CheckpointFormat format, ConversionReport report, IProgress<long>? progress = null)
    {
        ThrowIfMissing(path);
        return format switch
        {
            CheckpointFormat.Safetensors => Safetensors.Load(path, new TensorFileOptions { Progress = progress }),
            CheckpointFormat.Npz => Npz.Load(path, new TensorFileOptions { Progress = progress, AllowLossy = true }, report),
            _ => Msgpack.Load(path, options: MsgpackOptions.Default with { Progress = progress }),
        };
    }

    /// <summary>Saves a tree atomically; with <paramref name="allowLossy"/>, values the format cannot hold are left out.</summary>
    /// <returns>What was stored in another form or left out.</returns>
    /// <exception cref="LossyConversionException">Some values cannot be held and <paramref name="allowLossy"/> is false; nothing was written.</exception>
    public static ConversionReport Save(string path, CheckpointFormat format, StateNode tree, bool allowLossy, IProgress<long>? progress = null)
    {
        var options = new TensorFileOptions { AllowLossy = allowLossy, Progress = progress };
        switch (format)
        {
            case CheckpointFormat.Safetensors:
                return Safetensors.Save(path, tree, options: options);
            case CheckpointFormat.Npz:
                return Npz.Save(path, tree, options: options);
            default:
                Msgpack.Save(path, tree, options: MsgpackOptions.Default with { Progress = progress });
                return new ConversionReport();
        }
    }

    /// <summary>As <see cref="Save(string, CheckpointFormat, StateNode, bool, IProgress{long}?)"/>, to the object <paramref name="name"/> of a store (a blob prefix); <paramref name="overwrite"/> false commits only if it is still absent.</summary>
    /// <exception cref="LossyConversionException">Some values cannot be held and <paramref name="allowLossy"/> is false; nothing was written.</exception>
    /// <exception cref="CheckpointConflictException">The object exists (or was created meanwhile) and <paramref name="overwrite"/> is false.</exception>
    public static ConversionReport Save(ICheckpointStore store, string name, CheckpointFormat format, StateNode tree, bool allowLossy, bool overwrite, IProgress<long>? progress = null)
    {
        var options = new TensorFileOptions { AllowLossy = allowLossy, Progress = progress };
        switch (format)
        {
            case CheckpointFormat.Safetensors:
                return Safetensors.Save(store, name, tree, overwrite, options);
            case CheckpointFormat.Npz:
                return Npz.Save(store, name, tree, overwrite, options);
            default:
                Msgpack.Save(store, name, tree, overwrite, MsgpackOptions.Default with { Progress = progress });
                return new ConversionReport();
        }
    }

    /// <summary>The one-line reason a load failed: the library's, with the format named for safetensors and npz.</summary>
    public static string Describe(string path, CheckpointFormat format, InvalidCheckpointException e)
    {
        if (format == CheckpointFormat.Msgpack)
        {
            return e.Message;
        }

        string where = e.TreePath is null or "." ? string.Empty : $" at path {e.TreePath}";
        return $"Invalid {FormatNames.Name(format)} file {path}: {e.Reason}{where}";
    }

    /// <exception cref="FileNotFoundException">No such file, or a directory.</exception>
    public static void ThrowIfMissing(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(Directory.Exists(path) ? $"{path} is a directory, not a file" : $"file not found: {path}", path);
        }
    }
}
