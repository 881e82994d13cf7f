using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.EntryPoints;

/// <summary>All entry points give the same tree for the same bytes, and write the same bytes for the same tree.</summary>
public class EntryPointAgreementTests
{
    public static IEnumerable<object[]> Vectors() => Manifest.Names();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Read_EveryEntryPoint_GivesIdenticalTrees(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        byte[] data = File.ReadAllBytes(entry.FilePath);

        StateNode[] trees = [.. CheckpointWrapper.All.Select(w => w.Read(data))];

        Assert.All(trees.Skip(1), tree => Assert.True(trees[0].DeepEquals(tree), $"{name}: trees differ"));
        Assert.All(trees.Skip(1), tree => Assert.Equal(trees[0].ToString(), tree.ToString()));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Write_EveryEntryPoint_GivesIdenticalBytes(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        StateNode tree = Msgpack.Load(entry.FilePath);
        var options = MsgpackOptions.Default with { MaxChunkSize = entry.MaxChunkSize };

        byte[][] outputs = [.. CheckpointWrapper.All.Select(w => w.Write(tree, options))];

        Assert.All(outputs, bytes => Assert.Equal(outputs[0], bytes));
    }
}
