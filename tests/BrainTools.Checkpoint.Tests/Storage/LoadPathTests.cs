using BrainTools.Checkpoint.Tests.Interop;

namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>Every way to load a file (read, parallel read, memory map, lazy open, bytes, stream) gives the same tree.</summary>
public class LoadPathTests
{
    public static IEnumerable<object[]> Vectors() => Manifest.Names();

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 12).Select(seed => new object[] { seed });

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EveryLoadPath_Vector_EqualsManifestTree(string name)
    {
        ManifestEntry entry = Manifest.All[name];
        StateNode expected = Manifest.Build(entry.Tree);

        foreach ((string path, StateNode tree) in LoadEveryWay(entry.FilePath))
        {
            AssertEqual(expected, tree, path);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EveryLoadPath_GeneratedTree_EqualsSavedTree(int seed)
    {
        StateMap tree = TreeGenerator.Create(seed);
        using var dir = new TempDirectory();
        string file = dir.File("tree.msgpack");

        // Small chunks put chunked arrays in most trees.
        Msgpack.Save(file, tree, options: MsgpackOptions.Default with { MaxChunkSize = 256 });

        foreach ((string path, StateNode loaded) in LoadEveryWay(file))
        {
            AssertEqual(tree, loaded, path);
        }
    }

    [Fact]
    public void Load_ParallelReadOfManyBlocks_EqualsSequentialRead()
    {
        // 40 MiB: three 16 MiB blocks of the parallel reader, the last one partial.
        var random = new Random(7);
        var tree = new StateMap();
        for (int i = 0; i < 10; i++)
        {
            tree.Set($"w{i}", TreeGenerator.RandomArray(random, DType.Float32, new Shape(1024L, 1024L)));
        }

        using var dir = new TempDirectory();
        string file = dir.File("big.msgpack");
        Msgpack.Save(file, tree);

        StateNode sequential = Msgpack.Load(file, options: MsgpackOptions.Default with { ParallelReadThreshold = long.MaxValue });
        StateNode parallel = Msgpack.Load(file, options: MsgpackOptions.Default with { ParallelReadThreshold = 1 });

        TreeAssert.Equal(tree, sequential);
        TreeAssert.Equal(tree, parallel);
    }

    [Fact]
    public void Load_MemoryMapped_ArraysAreWritableAndFileUnchanged()
    {
        var tree = new StateMap().Set("w", NdArray.Create<float>([1f, 2f, 3f]));
        using var dir = new TempDirectory();
        string file = dir.File("w.msgpack");
        Msgpack.Save(file, tree);
        byte[] before = File.ReadAllBytes(file);

        NdArray w = Msgpack.Load(file, options: MsgpackOptions.Default with { LoadMode = CheckpointLoadMode.MemoryMap })["w"].AsArray();
        w.AsSpan<float>()[0] = 42f;

        Assert.Equal(42f, w.AsReadOnlySpan<float>()[0]);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Load_MemoryMappedFileReplacedBySave_KeepsOldValues()
    {
        using var dir = new TempDirectory();
        string file = dir.File("w.msgpack");
        Msgpack.Save(file, new StateMap().Set("w", NdArray.Create<int>([1, 2])));
        NdArray mapped = Msgpack.Load(file, options: MsgpackOptions.Default with { LoadMode = CheckpointLoadMode.MemoryMap })["w"].AsArray();

        Msgpack.Save(file, new StateMap().Set("w", NdArray.Create<int>([7, 8])));

        Assert.Equal([1, 2], mapped.AsReadOnlySpan<int>().ToArray());
        Assert.Equal([7, 8], Msgpack.Load(file)["w"].AsArray().AsReadOnlySpan<int>().ToArray());
    }

    [Fact]
    public void Save_ArrayInNativeMemory_RoundTrips()
    {
        // Arrays past 2 GiB live in native memory; the same code path, on a small array.
        var random = new Random(3);
        NdArray managed = TreeGenerator.RandomArray(random, DType.Float64, new Shape(300L, 70L));
        var native = new NativeArrayStorage(managed.ByteLength);
        NdArray.CopyBytes(managed, native, 0);
        var array = new NdArray(DType.Float64, managed.Shape, native, 0);
        using var dir = new TempDirectory();
        string file = dir.File("native.msgpack");

        Msgpack.Save(file, new StateMap().Set("a", array).Set("chunked", array), options: MsgpackOptions.Default with { MaxChunkSize = 4096 });

        StateNode loaded = Msgpack.Load(file);
        Assert.True(managed.Equals(loaded["a"].AsArray()));
        Assert.True(managed.Equals(loaded["chunked"].AsArray()));
    }

    [Fact]
    public void Save_ThroughFileStream_WritesPayloadsWithoutCopies()
    {
        // A stream that records its writes: large payloads must arrive as one write of the array's own memory.
        float[] data = new float[64 * 1024];
        data[0] = 1f;
        var tree = new StateMap().Set("w", NdArray.FromArray(data)).Set("b", NdArray.Create<float>([1f]));
        using var stream = new RecordingStream(data);

        Msgpack.Save(stream, tree);

        Assert.Contains(stream.Writes, w => w.Length == data.Length * sizeof(float) && w.SameMemory);
        Assert.Equal(Msgpack.Serialize(tree), stream.ToArray());
    }

    internal static IEnumerable<(string Path, StateNode Tree)> LoadEveryWay(string file)
    {
        yield return ("Load", Msgpack.Load(file));
        yield return ("Load parallel", Msgpack.Load(file, options: MsgpackOptions.Default with { ParallelReadThreshold = 1 }));
        yield return ("Load mmap", Msgpack.Load(file, options: MsgpackOptions.Default with { LoadMode = CheckpointLoadMode.MemoryMap }));
        byte[] bytes = File.ReadAllBytes(file);
        yield return ("Deserialize", Msgpack.Deserialize(bytes));
        using (var stream = new MemoryStream(bytes))
        {
            yield return ("Load stream", Msgpack.Load(stream));
        }

        using CheckpointReader reader = Msgpack.Open(file);
        yield return ("Open+ReadTree", reader.ReadTree());
        yield return ("Open+ReadMatching", reader.ReadMatching(Msgpack.Load(file)));
    }

    private static void AssertEqual(StateNode expected, StateNode actual, string path)
    {
        try
        {
            TreeAssert.Equal(expected, actual);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{path}: {e.Message}");
        }
    }
}
