using System.Globalization;
using BrainTools.Checkpoint.Format;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>The index pass with headers read ahead on another thread gives the index it gives without.</summary>
public class HeaderPrefetchTests
{
    public static TheoryData<string> Layouts() => ["uniform", "weight-bias", "irregular", "small-and-large"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ReadRoot_WithReadAhead_GivesTheSameIndexAsWithout(string layout)
    {
        using var dir = new TempDirectory();
        string file = dir.File("model.msgpack");
        Msgpack.Save(file, Model(layout));

        (string withReadAhead, long readWith, _) = Index(file, prefetchFileBytes: 0);
        (string without, long readWithout, int none) = Index(file, prefetchFileBytes: long.MaxValue);

        // Whether a window came from the prefetcher depends on thread timing; the index must not.
        Assert.Equal(without, withReadAhead);
        Assert.Equal(0, none);

        // Reads ahead are counted, used or not; a wrong guess costs at most HeaderPrefetcher.Depth windows, and a
        // guess needs a stride seen twice: the reads ahead stay within a small multiple of the reads.
        Assert.InRange(readWith, readWithout, 2 * readWithout);
    }

    [Fact]
    public void ReadRoot_TruncatedFileWithReadAhead_FailsAsWithout()
    {
        using var dir = new TempDirectory();
        string file = dir.File("model.msgpack");
        Msgpack.Save(file, Model("uniform"));
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length * 2 / 3);
        }

        var with = Assert.Throws<InvalidCheckpointException>(() => Index(file, prefetchFileBytes: 0));
        var without = Assert.Throws<InvalidCheckpointException>(() => Index(file, prefetchFileBytes: long.MaxValue));

        Assert.Equal(without.Message, with.Message);
    }

    [Fact]
    public void ReadRoot_ManyOpensAtOnce_EachGetsItsOwnPrefetcherAndTheRightIndex()
    {
        using var dir = new TempDirectory();
        string file = dir.File("model.msgpack");
        Msgpack.Save(file, Model("weight-bias"));
        string expected = Index(file, prefetchFileBytes: long.MaxValue).Index;

        string[] results = new string[8];
        Parallel.For(0, results.Length, i => results[i] = Index(file, prefetchFileBytes: 0).Index);

        Assert.All(results, index => Assert.Equal(expected, index));
    }

    [Fact]
    public void Prefetcher_RequestedWindow_IsTakenWithTheFilesBytesAndOnlyForThatOffset()
    {
        using var dir = new TempDirectory();
        string file = dir.File("bytes.bin");
        byte[] content = new byte[64 * 1024];
        new Random(1).NextBytes(content);
        File.WriteAllBytes(file, content);
        using SafeFileHandle handle = File.OpenHandle(file);
        HeaderPrefetcher prefetcher = HeaderPrefetcher.Rent(handle, 4096);
        try
        {
            prefetcher.Request(8192, 4096);
            prefetcher.Request(20_000, 1000);
            byte[] window = new byte[4096];
            byte[] shorter = new byte[1000];

            Assert.False(prefetcher.TryTake(4096, window));
            Assert.True(SpinUntil(() => prefetcher.TryTake(8192, window)));
            Assert.Equal(content.AsSpan(8192, 4096).ToArray(), window);
            Assert.True(SpinUntil(() => prefetcher.TryTake(20_000, shorter)));
            Assert.Equal(content.AsSpan(20_000, 1000).ToArray(), shorter);

            // Taken windows are gone; both reads were counted.
            Assert.False(prefetcher.TryTake(8192, window));
            Assert.Equal(5096, prefetcher.BytesRead);
        }
        finally
        {
            prefetcher.Return();
        }
    }

    private static bool SpinUntil(Func<bool> condition) => SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10));

    private static (string Index, long BytesRead, int WindowsReadAhead) Index(string path, long prefetchFileBytes)
    {
        using SafeFileHandle handle = File.OpenHandle(path);
        using MappedArrayStorage mapped = MappedArrayStorage.Map(handle, RandomAccess.GetLength(handle), copyOnWrite: false);
        var reader = new WireIndexReader(handle, mapped, MsgpackOptions.Default, prefetchFileBytes);
        CheckpointEntry root = reader.ReadRoot();
        string index = string.Join('\n', root.Descendants().Select(e => $"{e} @{e.ByteOffset}"));
        return (index, reader.BytesRead, reader.WindowsReadAhead);
    }

    // Layers whose headers lie 8 to 80 KiB apart: far enough that each needs its own window.
    private static StateMap Model(string layout)
    {
        var random = new Random(layout.Length);
        var layers = new StateMap();
        for (int i = 0; i < 120; i++)
        {
            var layer = new StateMap();
            long rows = layout switch
            {
                "irregular" => random.Next(2, 20),
                "small-and-large" when i % 7 == 0 => 1,
                _ => 10,
            };
            layer.Set("weight", NdArray.Zeros(DType.Float32, new Shape(rows, 1024L)));
            if (layout is "weight-bias" or "small-and-large")
            {
                layer.Set("bias", NdArray.Zeros(DType.Float32, new Shape(2048L)));
                layer.Set("step", (long)i);
            }

            layers.Set(i.ToString(CultureInfo.InvariantCulture), layer);
        }

        return new StateMap().Set("layers", layers).Set("name", "model");
    }
}
