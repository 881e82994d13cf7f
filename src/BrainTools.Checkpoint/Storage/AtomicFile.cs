namespace BrainTools.Checkpoint.Storage;

/// <summary>
/// Writes a file so that readers only ever see the old or the new content: the data goes to a unique
/// temporary file beside the target (<c>name.tmp-{guid}</c>), which is then renamed over the target.
/// A failed write deletes its temporary file; the target is never touched until the rename.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The infix of temporary files; anything named <c>{target}{TempInfix}*</c> is one of ours.</summary>
    public const string TempInfix = ".tmp-";

    /// <summary>Writes through <paramref name="write"/> into a temporary file, then renames it to <paramref name="path"/>.</summary>
    /// <param name="path">The full path of the target.</param>
    /// <param name="overwrite">Whether an existing target may be replaced.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <exception cref="CheckpointException"><paramref name="overwrite"/> is false and the target exists.</exception>
    public static void Write(string path, bool overwrite, Action<Stream> write)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        ThrowIfExists(path, overwrite);
        string temp = path + TempInfix + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // The writer buffers headers itself and hands payloads over whole.
                Options = FileOptions.SequentialScan,
            }))
            {
                write(stream);
            }

            ThrowIfExists(path, overwrite);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void ThrowIfExists(string path, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
        {
            throw new CheckpointException($"Checkpoint already exists: {path} (pass overwrite: true to replace it).", path, null);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
