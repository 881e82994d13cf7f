namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>Paths into a tree as the tool prints them: keys joined by <c>/</c>, <c>.</c> for the root.</summary>
internal static class LeafPath
{
    public const string Root = ".";

    public static string Join(string parent, string key) => parent == Root ? key : parent + "/" + key;

    public static int Depth(string path) => path == Root ? 0 : path.Count(c => c == '/') + 1;

    /// <summary>The path in braintools' error style (<c>./a/b</c>), as the library's messages write it.</summary>
    public static string Braintools(string path) => path == Root ? Root : "./" + path;

    /// <summary>The tool's form of a path in braintools' style: <c>./a/b</c> is <c>a/b</c>.</summary>
    public static string FromBraintools(string path) => path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
}
