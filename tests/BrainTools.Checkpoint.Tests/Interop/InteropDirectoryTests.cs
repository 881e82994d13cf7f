namespace BrainTools.Checkpoint.Tests.Interop;

/// <summary>
/// Where the tests read the Python-written vectors: the repository's own copy by default, or the folder that
/// <c>BRAINTOOLS_INTEROP_DIR</c> names, which must exist.
/// </summary>
public class InteropDirectoryTests
{
    [Fact]
    public void Locate_NoOverride_FindsTheRepositoryCopy()
    {
        string root = InteropDirectory.Locate(overridden: null, AppContext.BaseDirectory);

        Assert.EndsWith(InteropDirectory.InRepository, root, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "..", "..", "Directory.Build.props")), root);
        Assert.True(File.Exists(Path.Combine(root, "vectors", "manifest.json")), root);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "corrupt"), "*.msgpack"));
    }

    [Fact]
    public void Locate_EmptyOverride_FindsTheRepositoryCopy()
    {
        Assert.Equal(
            InteropDirectory.Locate(overridden: null, AppContext.BaseDirectory),
            InteropDirectory.Locate(overridden: string.Empty, AppContext.BaseDirectory));
    }

    [Fact]
    public void Locate_OverrideThatExists_ReturnsItsFullPath()
    {
        using var dir = new TempDirectory();

        string root = InteropDirectory.Locate(dir.Path, AppContext.BaseDirectory);

        Assert.Equal(Path.GetFullPath(dir.Path), root);
    }

    [Fact]
    public void Locate_OverrideThatDoesNotExist_ThrowsNamingTheVariableAndFolder()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("no-such-interop");

        DirectoryNotFoundException e = Assert.Throws<DirectoryNotFoundException>(() => InteropDirectory.Locate(missing, AppContext.BaseDirectory));

        Assert.Contains(InteropDirectory.EnvironmentVariable, e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_NoRepositoryAboveStart_Throws()
    {
        using var dir = new TempDirectory();

        Assert.Throws<DirectoryNotFoundException>(() => InteropDirectory.Locate(overridden: null, dir.Path));
    }

    [Fact]
    public void Manifest_ListsEveryVectorFile_OneEntryEach()
    {
        string[] files = Directory.GetFiles(InteropDirectory.Vectors, "*.msgpack").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

        string[] listed = Manifest.All.Values.Select(entry => entry.File).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(files, listed);
    }
}
