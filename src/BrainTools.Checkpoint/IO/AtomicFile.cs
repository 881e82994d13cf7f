using System.IO.Enumeration;

namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Writes a file so that readers only ever see the old or the new content: the data goes to a unique
/// temporary file beside the target (<c>name.tmp-{guid}</c>), which is then renamed over the target.
/// A failed write deletes its temporary file; the target is never touched until the rename.
/// </summary>
/// <remarks>
/// Durable writes also flush the temporary file to disk before the rename and the directory after it, so a
/// power cut cannot leave a renamed but empty file. Temporary files that killed saves left behind are swept by
/// the next successful write to the same target.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>The infix of temporary files; anything named <c>{target}{TempInfix}*</c> is one of ours.</summary>
    public const string TempInfix = ".tmp-";

    private static readonly EnumerationOptions SweepEnumeration = new() { IgnoreInaccessible = true, AttributesToSkip = 0 };

    // As Directory.GetFiles matches names: case-insensitively where the file system usually is.
    private static readonly bool NamesIgnoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    // The temporary files this process is writing now; the sweep of another save in this process leaves them alone.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> InProgress = new(StringComparer.Ordinal);

    /// <summary>Creates the temporary file of a write to <paramref name="path"/> (and missing directories).</summary>
    /// <exception cref="CheckpointConflictException"><paramref name="overwrite"/> is false and the target exists.</exception>
    /// <exception cref="IOException">
    /// The directory cannot be made or written (a part of the path is a file, no permission); the message names the path.
    /// </exception>
    public static PendingFile Begin(string path, bool overwrite)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            CreateDirectory(directory, path);
        }

        ThrowIfExists(path, overwrite);
        DateTime started = DateTime.UtcNow;
        // The writer's process id is in the name, so that a sweep can tell a killed save's file (its process is
        // gone) from one being written, without taking a lock that could, after the rename, block a reader.
        string temp = $"{path}{TempInfix}{Environment.ProcessId}-{Guid.NewGuid():N}";
        InProgress[temp] = 0;
        try
        {
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0, // The writer buffers headers itself and hands payloads over whole.
                Options = FileOptions.SequentialScan,
            });
            return new PendingFile(path, temp, stream, started);
        }
        catch (UnauthorizedAccessException e)
        {
            InProgress.TryRemove(temp, out _);
            throw NotWritable(path, e);
        }
        catch
        {
            InProgress.TryRemove(temp, out _);
            throw;
        }
    }

    /// <summary>Creates <paramref name="directory"/> and the directories above it that are missing.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="target">The file that will be written into it, for the message; null when the directory is the goal.</param>
    /// <exception cref="IOException">
    /// A part of the path is a file (<c>Cannot save {target}: {part} is a file, not a directory.</c>), there is no
    /// permission, or the file system failed.
    /// </exception>
    public static void CreateDirectory(string directory, string? target = null)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (IOException e) when (FileAmongParents(directory) is string file)
        {
            // .NET says "The file '{file}' already exists", which reads as if the save were refused for that file.
            throw new IOException($"Cannot save {target ?? directory}: {file} is a file, not a directory.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot save {target ?? directory}: no permission to create the directory {directory}.", e);
        }
    }

    /// <summary>
    /// Finishes a write: flushes the temporary file to disk (when durable), renames it over the target, flushes the
    /// directory and sweeps stale temporary files. On failure the temporary file is deleted.
    /// </summary>
    /// <returns>The committed file's length and last-write time, read from the open temporary file (the rename keeps both): no second look at the path, where another writer may already have put its own file.</returns>
    /// <exception cref="CheckpointConflictException"><paramref name="overwrite"/> is false and the target exists.</exception>
    public static FileStamp Commit(PendingFile file, bool overwrite, bool durable)
    {
        FileStamp stamp;
        try
        {
            using (file.Stream)
            {
                file.Stream.Flush(flushToDisk: durable);
                stamp = new FileStamp(file.Stream.Length, File.GetLastWriteTimeUtc(file.Stream.SafeFileHandle));
            }

            ThrowIfExists(file.Path, overwrite);
            File.Move(file.TempPath, file.Path, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            TryDelete(file.TempPath);
            InProgress.TryRemove(file.TempPath, out _);
            throw NotWritable(file.Path, e);
        }
        catch
        {
            TryDelete(file.TempPath);
            InProgress.TryRemove(file.TempPath, out _);
            throw;
        }

        InProgress.TryRemove(file.TempPath, out _);
        string? directory = Path.GetDirectoryName(file.Path);
        if (durable && !string.IsNullOrEmpty(directory))
        {
            DirectorySync.Flush(directory);
        }

        SweepStale(file.Path, file.Started);
        return stamp;
    }

    /// <summary>Abandons a write: closes and deletes the temporary file.</summary>
    public static void Abort(PendingFile file)
    {
        file.Stream.Dispose();
        TryDelete(file.TempPath);
        InProgress.TryRemove(file.TempPath, out _);
    }

    /// <summary>
    /// Deletes the temporary files of <paramref name="path"/> that were last written before <paramref name="olderThanUtc"/>
    /// and that no save holds open (those of killed saves). Never throws: a file it cannot delete stays for the next sweep.
    /// </summary>
    public static void SweepStale(string path, DateTime olderThanUtc)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            SweepStale(directory, Path.GetFileName(path) + TempInfix + "*", olderThanUtc);
        }
    }

    /// <summary>As <see cref="SweepStale(string, DateTime)"/> for the temporary files in <paramref name="directory"/> that match <paramref name="pattern"/>.</summary>
    public static void SweepStale(string directory, string pattern, DateTime olderThanUtc)
    {
        // Every save sweeps, and most find nothing: one pass over the directory's entries, a path made only for a match.
        List<string> candidates;
        try
        {
            candidates = [.. new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => entry.ToFullPath(), SweepEnumeration)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory
                    && entry.FileName.Contains(TempInfix, StringComparison.Ordinal)
                    && FileSystemName.MatchesSimpleExpression(pattern, entry.FileName, ignoreCase: NamesIgnoreCase),
            }];
        }
        catch (IOException)
        {
            return; // The directory is gone, or cannot be read.
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        foreach (string candidate in candidates)
        {
            try
            {
                if (File.GetLastWriteTimeUtc(candidate) >= olderThanUtc || InProgress.ContainsKey(candidate) || WriterIsAlive(candidate))
                {
                    continue; // A save that may still be writing it: this process's, another live one's, or one started after ours.
                }

                File.Delete(candidate);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Whether the process that named the temporary file <c>{target}.tmp-{pid}-{guid}</c> still runs (another
    /// process's save in progress). Files of this process that are not in progress are leftovers, and files without
    /// a process id are probed the old way: a save in progress holds them with <see cref="FileShare.None"/>.
    /// </summary>
    private static bool WriterIsAlive(string candidate)
    {
        string name = Path.GetFileName(candidate);
        string suffix = name[(name.LastIndexOf(TempInfix, StringComparison.Ordinal) + TempInfix.Length)..];
        int dash = suffix.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !int.TryParse(suffix.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
        {
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                }

                return false;
            }
            catch (IOException)
            {
                return true;
            }
        }

        if (pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // No such process: the save was killed.
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Throws when <paramref name="overwrite"/> is false and <paramref name="path"/> exists.</summary>
    internal static void ThrowIfExists(string path, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
        {
            throw new CheckpointConflictException($"Checkpoint already exists: {path} (pass overwrite: true to replace it).", path);
        }
    }

    // The Errors table promises an IOException when the file system refuses a save; .NET reports EACCES and EPERM as
    // UnauthorizedAccessException, which is not one.
    private static IOException NotWritable(string path, UnauthorizedAccessException e) =>
        new($"Cannot save {path}: no permission to write in the directory {Path.GetDirectoryName(path)}.", e);

    // The nearest part of the path that exists, when it is a file rather than a directory.
    private static string? FileAmongParents(string directory)
    {
        for (string? part = Path.GetFullPath(directory); !string.IsNullOrEmpty(part); part = Path.GetDirectoryName(part))
        {
            if (File.Exists(part))
            {
                return part;
            }

            if (Directory.Exists(part))
            {
                return null;
            }
        }

        return null;
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
