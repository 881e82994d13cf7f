namespace BrainTools.Checkpoint.Fuzz;

/// <summary>
/// A file this process rewrites with each input, for entry points that take a path. One per target and process, in
/// shared memory when there is some (no disk writes per execution).
/// </summary>
internal static class ScratchFile
{
    /// <summary>A fresh directory for this process and <paramref name="name"/>.</summary>
    public static string Directory(string name)
    {
        string root = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string path = Path.Combine(root, $"braintools-fuzz-{Environment.ProcessId}-{name}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes <paramref name="input"/> to <c>{name}</c> in this process's scratch directory and returns its path.</summary>
    public static string Write(string name, byte[] input)
    {
        string path = Path.Combine(Directory("files"), name);
        File.WriteAllBytes(path, input);
        return path;
    }
}
