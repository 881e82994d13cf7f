using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>Commit conditions: two writers of one blob never lose a committed version unnoticed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobCommitConditionTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, object> First = new() { ["w"] = BlobRoundTripTests.Ramp(3000), ["writer"] = "first" };
    private static readonly Dictionary<string, object> Second = new() { ["w"] = BlobRoundTripTests.Ramp(5000), ["writer"] = "second" };

    [Fact]
    public async Task SaveAsync_TwoWritersStartedOnTheSameVersion_FirstCommitWinsSecondGetsConflict()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        var small = new BlobSaveOptions { BlockSize = 4096 };

        // Both begin before either commits: both saw "no blob", so both commit with If-None-Match: *.
        await using BlobCommitStream a = await BlobCommitStream.OpenAsync(blob, small);
        await using BlobCommitStream b = await BlobCommitStream.OpenAsync(blob, small);
        Msgpack.Save(a, First);
        Msgpack.Save(b, Second);
        BlobCheckpointVersion won = await a.CommitAsync();
        var lost = await Assert.ThrowsAsync<BlobCheckpointConflictException>(b.CommitAsync);

        Assert.Contains(blob.Uri.ToString(), lost.Message, StringComparison.Ordinal);
        Assert.Contains("another writer", lost.Message, StringComparison.Ordinal);
        Assert.Equal(won.ETag, (await blob.GetPropertiesAsync()).Value.ETag);
        Assert.Equal(Msgpack.Serialize(First), Msgpack.Serialize(await MsgpackBlob.LoadAsync(blob)));
    }

    [Fact]
    public async Task SaveAsync_TwoWritersReplacingOneVersion_OneCommitsTheOtherGetsConflict()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        BlobCheckpointVersion start = await MsgpackBlob.SaveAsync(blob, First);

        await using BlobCommitStream a = await BlobCommitStream.OpenAsync(blob, new BlobSaveOptions { Condition = BlobCommitCondition.IfMatch(start.ETag) });
        await using BlobCommitStream b = await BlobCommitStream.OpenAsync(blob);
        Msgpack.Save(b, First);
        Msgpack.Save(a, Second);
        BlobCheckpointVersion won = await b.CommitAsync();
        var lost = await Assert.ThrowsAsync<BlobCheckpointConflictException>(a.CommitAsync);

        Assert.Equal(412, lost.Status);
        Assert.Equal(won.ETag, (await blob.GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task SaveAsync_CreateNewOverAnExistingBlob_ThrowsConflictBeforeUploading()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        BlobCheckpointVersion existing = await MsgpackBlob.SaveAsync(blob, First);

        var error = await Assert.ThrowsAsync<BlobCheckpointConflictException>(
            () => MsgpackBlob.SaveAsync(blob, Second, new BlobSaveOptions { Condition = BlobCommitCondition.CreateNew }));

        Assert.Contains("nothing was uploaded", error.Message, StringComparison.Ordinal);
        Assert.Empty((await blob.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks);
        Assert.Equal(existing.ETag, (await blob.GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task SaveAsync_IfMatchAStaleVersion_ThrowsConflict()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        BlobCheckpointVersion stale = await MsgpackBlob.SaveAsync(blob, First);
        BlobCheckpointVersion current = await MsgpackBlob.SaveAsync(blob, Second);

        await Assert.ThrowsAsync<BlobCheckpointConflictException>(
            () => MsgpackBlob.SaveAsync(blob, First, new BlobSaveOptions { Condition = BlobCommitCondition.IfMatch(stale.ETag) }));

        Assert.Equal(current.ETag, (await blob.GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task SaveAsync_IfMatchTheCurrentVersion_ReplacesIt()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        BlobCheckpointVersion current = await MsgpackBlob.SaveAsync(blob, First);

        BlobCheckpointVersion replaced = await MsgpackBlob.SaveAsync(blob, Second, new BlobSaveOptions { Condition = BlobCommitCondition.IfMatch(current.ETag) });

        Assert.NotEqual(current.ETag, replaced.ETag);
        Assert.Equal(Msgpack.Serialize(Second), Msgpack.Serialize(await MsgpackBlob.LoadAsync(blob)));
    }

    [Fact]
    public async Task SaveAsync_Overwrite_ReplacesWithoutACondition()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        await MsgpackBlob.SaveAsync(blob, First);

        await MsgpackBlob.SaveAsync(blob, Second, new BlobSaveOptions { Condition = BlobCommitCondition.Overwrite });

        Assert.Equal(Msgpack.Serialize(Second), Msgpack.Serialize(await MsgpackBlob.LoadAsync(blob)));
    }

    [Fact]
    public void IfMatch_WildcardETag_IsRefused() =>
        Assert.Throws<ArgumentException>(() => BlobCommitCondition.IfMatch(ETag.All));
}
