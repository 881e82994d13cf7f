using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>Saves and loads through a real Azurite: the blob holds exactly the bytes a local save writes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobRoundTripTests(AzuriteFixture azurite)
{
    public static TheoryData<string> Vectors()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(InteropDirectory.Vectors, "*.msgpack").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task SaveAsync_InteropVector_BlobBytesEqualLocalSave(string vector)
    {
        BlobContainerClient container = azurite.CreateContainer();
        StateNode tree = Msgpack.Load(Path.Combine(InteropDirectory.Vectors, vector));
        using var temp = new TempDirectory();
        string local = Msgpack.Save(temp.File(vector), tree);

        BlobCheckpointVersion version = await MsgpackBlob.SaveAsync(container, vector, tree);

        byte[] expected = File.ReadAllBytes(local);
        byte[] blob = (await container.GetBlobClient(vector).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(expected, blob);
        Assert.Equal(expected.Length, version.Length);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task LoadAsync_InteropVector_TreeSavesToTheFileBytes(string vector)
    {
        BlobContainerClient container = azurite.CreateContainer();
        byte[] file = File.ReadAllBytes(Path.Combine(InteropDirectory.Vectors, vector));
        await container.GetBlobClient(vector).UploadAsync(BinaryData.FromBytes(file));

        StateNode loaded = await MsgpackBlob.LoadAsync(container, vector);

        Assert.Equal(Msgpack.Serialize(Msgpack.Load(Path.Combine(InteropDirectory.Vectors, vector))), Msgpack.Serialize(loaded));
    }

    [Fact]
    public async Task SaveAsync_ManySmallBlocks_HoldsAtMostTheBufferLimitAndCommitsEveryByte()
    {
        BlobContainerClient container = azurite.CreateContainer();
        var tree = new Dictionary<string, object> { ["weights"] = Ramp(5 << 18), ["step"] = 7L };
        var options = new BlobSaveOptions { BlockSize = 64 << 10, MaxBlocksInMemory = 3 };

        await using BlobCommitStream stream = await BlobCommitStream.OpenAsync(container.GetBlockBlobClient("many.msgpack"), options);
        Msgpack.Save(stream, tree);
        BlobCheckpointVersion version = await stream.CommitAsync();

        Assert.Equal(3, stream.BuffersAllocated);
        Assert.InRange(stream.PeakBlocksInFlight, 1, 3);
        BlockList blocks = (await container.GetBlockBlobClient("many.msgpack").GetBlockListAsync()).Value;
        Assert.Equal((int)((version.Length + options.BlockSize - 1) / options.BlockSize), blocks.CommittedBlocks.Count());
        Assert.Equal(Msgpack.Serialize(tree), (await container.GetBlobClient("many.msgpack").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task CommitStream_DisposedWithoutCommit_LeavesThePreviousVersion()
    {
        BlobContainerClient container = azurite.CreateContainer();
        var first = new Dictionary<string, object> { ["w"] = Ramp(1000) };
        BlobCheckpointVersion committed = await MsgpackBlob.SaveAsync(container, "ckpt.msgpack", first);

        await using (BlobCommitStream abandoned = await BlobCommitStream.OpenAsync(container.GetBlockBlobClient("ckpt.msgpack"), new BlobSaveOptions { BlockSize = 4096 }))
        {
            Msgpack.Save(abandoned, new Dictionary<string, object> { ["w"] = Ramp(100_000) });
        }

        BlobProperties properties = (await container.GetBlobClient("ckpt.msgpack").GetPropertiesAsync()).Value;
        Assert.Equal(committed.ETag, properties.ETag);
        Assert.Equal(Msgpack.Serialize(first), Msgpack.Serialize(await MsgpackBlob.LoadAsync(container, "ckpt.msgpack")));
    }

    [Fact]
    public async Task LoadAsync_SmallRangesManyInFlight_JoinsTheBytesInOrder()
    {
        BlobContainerClient container = azurite.CreateContainer();
        var tree = new Dictionary<string, object> { ["a"] = Ramp(50_000), ["b"] = new double[] { 1.5, -2.5 } };
        await MsgpackBlob.SaveAsync(container, "small.msgpack", tree);

        StateNode loaded = await MsgpackBlob.LoadAsync(container, "small.msgpack", new BlobLoadOptions { RangeSize = 999, MaxConcurrency = 5 });

        Assert.Equal(Msgpack.Serialize(tree), Msgpack.Serialize(loaded));
    }

    [Fact]
    public async Task LoadAsyncOfT_Template_RestoresTheSavedValues()
    {
        BlobContainerClient container = azurite.CreateContainer();
        await MsgpackBlob.SaveAsync(container, "model.msgpack", new Model { Weights = [1f, 2f, 3f], Step = 42 });

        Model restored = await MsgpackBlob.LoadAsync(container.GetBlobClient("model.msgpack"), new Model { Weights = new float[3] });

        Assert.Equal([1f, 2f, 3f], restored.Weights);
        Assert.Equal(42, restored.Step);
    }

    internal static float[] Ramp(int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = i * 0.25f;
        }

        return values;
    }

    public sealed class Model
    {
        public float[] Weights { get; set; } = [];

        public long Step { get; set; }
    }
}
