namespace BrainTools.Checkpoint.Tests.Interop;

/// <summary>Every manifest entry: the file loads to exactly the manifest's tree, and that tree saves to the file's bytes.</summary>
public class VectorTests
{
    public static IEnumerable<object[]> Entries() => Manifest.Names();

    [Theory]
    [MemberData(nameof(Entries))]
    public void Load_Vector_EqualsManifestTree(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        StateNode expected = Manifest.Build(entry.Tree);

        StateNode loaded = Msgpack.Load(entry.FilePath);

        TreeAssert.Equal(expected, loaded);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Save_ManifestTree_GivesFileBytes(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        StateNode tree = Manifest.Build(entry.Tree);
        var options = MsgpackOptions.Default with { MaxChunkSize = entry.MaxChunkSize };

        byte[] bytes = Msgpack.Serialize(tree, options);

        Assert.Equal(File.ReadAllBytes(entry.FilePath), bytes);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void SaveToFile_LoadedVector_GivesFileBytes(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, entry.File);

        Msgpack.Save(path, Msgpack.Load(entry.FilePath), options: MsgpackOptions.Default with { MaxChunkSize = entry.MaxChunkSize });

        Assert.Equal(File.ReadAllBytes(entry.FilePath), File.ReadAllBytes(path));
    }

    [Fact]
    public void Manifest_HasEntries()
    {
        Assert.NotEmpty(Manifest.All);
    }
}
