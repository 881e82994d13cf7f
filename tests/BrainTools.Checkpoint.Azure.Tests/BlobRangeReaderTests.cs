using Azure.Storage.Blobs;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>The positional reader a lazy open will use: one request per read, bytes at the asked offsets, one version.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobRangeReaderTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task OpenAsync_Blob_KnowsLengthInOneRequest()
    {
        (BlobClient blob, byte[] bytes) = await UploadAsync(10_000);

        BlobRangeReader reader = await BlobRangeReader.OpenAsync(blob);

        Assert.Equal(bytes.Length, reader.Length);
        Assert.Equal(1, reader.RequestCount);
    }

    [Fact]
    public async Task ReadAt_Ranges_ReturnTheBytesAtEachOffsetOneRequestEach()
    {
        (BlobClient blob, byte[] bytes) = await UploadAsync(100_000);
        BlobRangeReader reader = await BlobRangeReader.OpenAsync(blob);
        var head = new byte[4096];
        var middle = new byte[777];

        int first = reader.ReadAt(0, head);
        int second = await reader.ReadAtAsync(54_321, middle);

        Assert.Equal(4096, first);
        Assert.Equal(777, second);
        Assert.Equal(bytes.AsSpan(0, 4096).ToArray(), head);
        Assert.Equal(bytes.AsSpan(54_321, 777).ToArray(), middle);
        Assert.Equal(3, reader.RequestCount);
    }

    [Fact]
    public async Task ReadAt_PastTheEnd_ReturnsTheBytesThatRemain()
    {
        (BlobClient blob, byte[] bytes) = await UploadAsync(1000);
        BlobRangeReader reader = await BlobRangeReader.OpenAsync(blob);
        var tail = new byte[64];

        int read = reader.ReadAt(990, tail);
        int atEnd = reader.ReadAt(1000, tail);

        Assert.Equal(10, read);
        Assert.Equal(bytes.AsSpan(990).ToArray(), tail.AsSpan(0, 10).ToArray());
        Assert.Equal(0, atEnd);
        Assert.Equal(2, reader.RequestCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadAt(1001, tail));
    }

    [Fact]
    public async Task ReadAt_BlobReplacedAfterOpen_ThrowsConflictNamingTheBlob()
    {
        (BlobClient blob, _) = await UploadAsync(1000);
        BlobRangeReader reader = await BlobRangeReader.OpenAsync(blob);
        await blob.UploadAsync(BinaryData.FromBytes(new byte[1000]), overwrite: true);

        var error = await Assert.ThrowsAsync<BlobCheckpointConflictException>(async () => await reader.ReadAtAsync(0, new byte[16]));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("replaced", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_Checkpoint_CostsOneRequestPerRangeAndOneToOpen()
    {
        BlobContainerClient container = azurite.CreateContainer();
        var tree = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(100_000) };
        BlobCheckpointVersion saved = await MsgpackBlob.SaveAsync(container, "c.msgpack", tree);
        BlobRangeReader reader = await BlobRangeReader.OpenAsync(container.GetBlobClient("c.msgpack"));
        var bytes = new byte[saved.Length];

        for (long offset = 0; offset < saved.Length; offset += 65_536)
        {
            reader.ReadAt(offset, bytes.AsSpan((int)offset, (int)Math.Min(65_536, saved.Length - offset)));
        }

        Assert.Equal(1 + ((saved.Length + 65_535) / 65_536), reader.RequestCount);
        Assert.Equal(Msgpack.Serialize(tree), bytes);
    }

    private async Task<(BlobClient Blob, byte[] Bytes)> UploadAsync(int length)
    {
        BlobContainerClient container = azurite.CreateContainer();
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        BlobClient blob = container.GetBlobClient("data.bin");
        await blob.UploadAsync(BinaryData.FromBytes(bytes));
        return (blob, bytes);
    }
}
