using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint.Tests.Storage;

public sealed class SaveSnapshotTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Take_SourceChangedAfterwards_CopyKeepsOldValues(int workers)
    {
        // 40 MiB: several copy slices, so several workers share the array.
        var large = new float[10 << 20];
        Array.Fill(large, 1f);
        var small = new[] { 1, 2, 3 };
        var bytes = new byte[] { 9, 9 };
        StateNode tree = Msgpack.ToStateDict(new Dictionary<string, object> { ["large"] = large, ["small"] = small, ["bytes"] = bytes, ["name"] = "m" });
        byte[] expected = Msgpack.Serialize(tree);

        using SaveSnapshot snapshot = SaveSnapshot.Take(tree, workers);
        Array.Fill(large, 2f);
        small[0] = 100;
        bytes[0] = 0;

        Assert.Equal(expected, Msgpack.Serialize(snapshot.Root));
        Assert.Equal((10L << 20) * 4 + 12, snapshot.ArrayBytes);
    }

    [Fact]
    public void Release_WrittenByWireWriter_FreesEachLargeCopy()
    {
        var large = new double[1 << 16];
        StateNode tree = Msgpack.ToStateDict(new Dictionary<string, object> { ["a"] = large, ["b"] = new Dictionary<string, object> { ["c"] = large } });
        using SaveSnapshot snapshot = SaveSnapshot.Take(tree, 1);
        var copies = new List<NdArray> { snapshot.Root["a"].AsArray(), snapshot.Root["b"]["c"].AsArray() };

        using var stream = new MemoryStream();
        new WireWriter(stream, MsgpackOptions.Default, snapshot.Release).Write(snapshot.Root);

        Assert.All(copies, copy => Assert.Throws<ObjectDisposedException>(() => copy.Storage.GetReference()));
        Assert.Equal(Msgpack.Serialize(tree), stream.ToArray());
    }
}
