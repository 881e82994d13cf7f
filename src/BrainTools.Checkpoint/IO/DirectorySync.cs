using System.Runtime.InteropServices;


namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Flushes a directory's entries to disk, so a rename inside it survives a power cut. POSIX needs an
/// <c>fsync</c> of the directory itself, which .NET's file APIs cannot open; Windows journals renames, so
/// there it is a no-op.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>Flushes <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open the directory {directory} to flush it: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
        }

        try
        {
            // EINVAL: the file system does not support syncing directories; nothing more can be done.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != 22)
            {
                throw new IOException($"Cannot flush the directory {directory}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
