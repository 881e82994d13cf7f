namespace BrainTools.Checkpoint.Testing;

/// <summary>
/// Finds the vectors written by the Python reference: <c>../shared/interop</c> relative to the repository
/// root, or the folder named by <c>BRAINTOOLS_INTEROP_DIR</c> (same layout: <c>vectors/</c>, <c>corrupt/</c>).
/// </summary>
internal static class InteropDirectory
{
    public const string EnvironmentVariable = "BRAINTOOLS_INTEROP_DIR";

    public static string Root { get; } = Locate();

    public static string Vectors => Path.Combine(Root, "vectors");

    public static string Corrupt => Path.Combine(Root, "corrupt");

    private static string Locate()
    {
        string? overridden = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            return Directory.Exists(overridden)
                ? Path.GetFullPath(overridden)
                : throw new DirectoryNotFoundException($"{EnvironmentVariable} points at {overridden}, which does not exist.");
        }

        // The repository root is the folder that holds Directory.Build.props; shared/ sits beside it.
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
            {
                string shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "interop"));
                return Directory.Exists(shared)
                    ? shared
                    : throw new DirectoryNotFoundException($"No interop vectors at {shared}; set {EnvironmentVariable}.");
            }
        }

        throw new DirectoryNotFoundException($"Cannot find the repository root above {AppContext.BaseDirectory}; set {EnvironmentVariable}.");
    }
}
