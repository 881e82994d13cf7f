using System.Numerics;
using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.EntryPoints;

/// <summary>The suite every entry point runs: vectors, corrupt files, limits and round trips.</summary>
public abstract class EntryPointTests(CheckpointWrapper wrapper)
{
    public static IEnumerable<object[]> Vectors() => Manifest.Names();

    public static IEnumerable<object[]> CorruptFiles() => CorruptFileTests.Files();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Read_Vector_EqualsManifestTree(string name)
    {
        ManifestEntry entry = Manifest.All[name];

        StateNode loaded = wrapper.Read(File.ReadAllBytes(entry.FilePath));

        TreeAssert.Equal(Manifest.Build(entry.Tree), loaded);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Write_ManifestTree_GivesFileBytes(string name)
    {
        ManifestEntry entry = Manifest.All[name];

        byte[] written = wrapper.Write(Manifest.Build(entry.Tree), MsgpackOptions.Default with { MaxChunkSize = entry.MaxChunkSize });

        Assert.Equal(File.ReadAllBytes(entry.FilePath), written);
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Read_CorruptFile_ThrowsInvalidCheckpoint(string name)
    {
        byte[] data = File.ReadAllBytes(Path.Combine(InteropDirectory.Corrupt, name));

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => wrapper.Read(data));

        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    [Fact]
    public void WriteRead_MixedTree_RoundTrips()
    {
        var tree = new Dictionary<string, object?>
        {
            ["weights"] = new float[,] { { 1, 2 }, { 3, 4 } },
            ["layers"] = new object?[] { new[] { 1.5, 2.5 }, "relu", null },
            ["step"] = 7,
            ["big"] = ulong.MaxValue,
            ["lr"] = 1e-05,
            ["z"] = new Complex(1.5, -2.25),
            ["raw"] = new byte[] { 0, 255 },
            ["flag"] = true,
            ["half"] = (Half)0.5,
        };

        StateNode loaded = wrapper.Read(wrapper.Write(tree));

        Assert.Equal(
            "{'weights': array([[1.0, 2.0], [3.0, 4.0]], dtype=float32), 'layers': {'0': array([1.5, 2.5], dtype=float64), '1': 'relu', '2': None}, "
            + "'step': 7, 'big': 18446744073709551615, 'lr': 1e-05, 'z': (1.5-2.25j), 'raw': b'\\x00\\xff', 'flag': True, 'half': 0.5}",
            loaded.ToString());
        TreeAssert.Equal(Msgpack.ToStateDict(tree), loaded);
    }

    [Fact]
    public void Read_DeeperThanMaxDepth_ThrowsInvalidCheckpoint()
    {
        byte[] data = Nested(20);

        Assert.Equal(20, Depth(wrapper.Read(data, MsgpackOptions.Default with { MaxDepth = 20 })));
        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => wrapper.Read(data, MsgpackOptions.Default with { MaxDepth = 19 }));
        Assert.Contains("MaxDepth", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LargerThanMaxFileSize_ThrowsInvalidCheckpoint()
    {
        byte[] data = wrapper.Write(new Dictionary<string, object> { ["x"] = new byte[1000] });

        Assert.Equal(StateNodeKind.Map, wrapper.Read(data, MsgpackOptions.Default with { MaxFileSize = data.Length }).Kind);
        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => wrapper.Read(data, MsgpackOptions.Default with { MaxFileSize = data.Length - 1 }));
        Assert.Contains("MaxFileSize", e.Reason, StringComparison.Ordinal);
    }

    /// <summary>{"a": {"a": ... {}}}: <paramref name="depth"/> maps.</summary>
    internal static byte[] Nested(int depth) => Msgpack.Serialize(DeepTrees.Chain(depth));

    private static int Depth(StateNode node) => node is StateMap { Count: 1 } map ? 1 + Depth(map["a"]) : 1;
}

public sealed class PathEntryPointTests() : EntryPointTests(CheckpointWrapper.FilePath);

public sealed class StreamEntryPointTests() : EntryPointTests(CheckpointWrapper.SeekableStream);

public sealed class OneByteStreamEntryPointTests() : EntryPointTests(CheckpointWrapper.OneByteStream);

public sealed class BytesEntryPointTests() : EntryPointTests(CheckpointWrapper.Bytes);
