namespace BrainTools.Checkpoint.Fuzz;

/// <summary>
/// Files this process rewrites with each input, for entry points that take a path: one folder per process, in shared
/// memory when there is some (no disk writes per execution).
/// </summary>
internal static class ScratchFile
{
    // fuzz/run.sh names a folder per campaign (and deletes it after); AFL kills its children before they clean up.
    private static readonly string Root = Path.Combine(
        Environment.GetEnvironmentVariable("BRAINTOOLS_FUZZ_SCRATCH") is { Length: > 0 } campaign ? campaign
            : System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(),
        $"braintools-fuzz-{Environment.ProcessId}");

    /// <summary>The directory <paramref name="name"/> of this process, created when missing.</summary>
    public static string Directory(string name)
    {
        string path = Path.Combine(Root, name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    private static long s_written;

    /// <summary>
    /// Writes <paramref name="input"/> to a new file named after <paramref name="name"/> in this process's scratch
    /// folder and returns its path. The previous input's file is unlinked, never truncated: arrays read from it may
    /// still map it, and a mapped file that shrinks kills the process on the next touch (SIGBUS), which is no finding.
    /// </summary>
    public static string Write(string name, byte[] input)
    {
        string directory = Directory("files");
        long number = ++s_written;
        File.Delete(Path.Combine(directory, $"{number - 1}-{name}"));
        string path = Path.Combine(directory, $"{number}-{name}");
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>Deletes this process's scratch folder.</summary>
    public static void DeleteAll()
    {
        if (System.IO.Directory.Exists(Root))
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
    }
}
