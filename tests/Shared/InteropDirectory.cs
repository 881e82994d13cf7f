namespace BrainTools.Checkpoint.Testing;

/// <summary>
/// Finds the vectors written by the Python reference: the repository's own <c>tests/interop</c> (the repository
/// root is the folder that holds <c>Directory.Build.props</c>), or the folder named by <c>BRAINTOOLS_INTEROP_DIR</c>
/// (same layout: <c>vectors/</c> with its <c>manifest.json</c>, <c>corrupt/</c>).
/// </summary>
internal static class InteropDirectory
{
    public const string EnvironmentVariable = "BRAINTOOLS_INTEROP_DIR";

    /// <summary>Where the vectors live inside the repository, relative to its root.</summary>
    public static readonly string InRepository = Path.Combine("tests", "interop");

    public static string Root { get; } = Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory);

    public static string Vectors => Path.Combine(Root, "vectors");

    public static string Corrupt => Path.Combine(Root, "corrupt");

    /// <summary>
    /// The interop folder: <paramref name="overridden"/> when set (it must exist: a wrong path is an error, never a
    /// silent fallback to the repository's copy), else <c>tests/interop</c> under the first folder above
    /// <paramref name="start"/> that holds <c>Directory.Build.props</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The named folder, the repository root or its vectors are missing.</exception>
    public static string Locate(string? overridden, string start)
    {
        if (!string.IsNullOrEmpty(overridden))
        {
            return Directory.Exists(overridden)
                ? Path.GetFullPath(overridden)
                : throw new DirectoryNotFoundException($"{EnvironmentVariable} points at {overridden}, which does not exist.");
        }

        for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
            {
                string inRepository = Path.Combine(dir.FullName, InRepository);
                return Directory.Exists(inRepository)
                    ? inRepository
                    : throw new DirectoryNotFoundException($"No interop vectors at {inRepository}; set {EnvironmentVariable}.");
            }
        }

        throw new DirectoryNotFoundException($"Cannot find the repository root above {start}; set {EnvironmentVariable}.");
    }
}
