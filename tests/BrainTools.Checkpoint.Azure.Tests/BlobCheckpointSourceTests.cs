using Azure.Storage.Blobs;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>
/// The blob as a checkpoint source: one request for the properties, then one ranged request per read, the bytes at
/// the asked offsets, all of one version; the service's failures as the package's typed errors.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobCheckpointSourceTests(AzuriteFixture azurite)
{
    private readonly RequestCounter counter = new();

    [Fact]
    public async Task Constructor_Blob_KnowsLengthAndVersionInOneRequest()
    {
        (BlobClient blob, byte[] bytes) = await UploadAsync(10_000);
        counter.Reset();

        using var source = new BlobCheckpointSource(blob);

        Assert.Equal(bytes.Length, source.Length);
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag, source.ETag);
        Assert.Equal(1, source.RequestCount);
        Assert.Equal([("HEAD", "")], counter.Requests.Take(1));
        Assert.Equal(blob.Uri.ToString(), source.Name);
        Assert.Equal(4 << 20, source.PreferredReadSize);
        Assert.Equal(8, source.MaxConcurrentReads);
    }

    [Fact]
    public async Task ReadAt_Ranges_ReturnTheBytesAtEachOffsetOneRequestEach()
    {
        (BlobClient blob, byte[] bytes) = await UploadAsync(100_000);
        using BlobCheckpointSource source = await BlobCheckpointSource.OpenAsync(blob, new BlobLoadOptions { RangeSize = 1 << 16, MaxConcurrency = 3 });
        counter.Reset();
        var head = new byte[4096];
        var middle = new byte[777];

        int first = source.ReadAt(0, head);
        int second = source.ReadAt(54_321, middle);

        Assert.Equal(4096, first);
        Assert.Equal(777, second);
        Assert.Equal(bytes.AsSpan(0, 4096).ToArray(), head);
        Assert.Equal(bytes.AsSpan(54_321, 777).ToArray(), middle);
        Assert.Equal(3, source.RequestCount);
        Assert.Equal([("GET", "bytes=0-4095"), ("GET", "bytes=54321-55097")], counter.Requests);
        Assert.Equal((1 << 16, 3), (source.PreferredReadSize, source.MaxConcurrentReads));
    }

    [Fact]
    public async Task ReadAt_PastTheEnd_ReturnsTheBytesThatRemainAndNoRequestAtTheEnd()
    {
        (BlobClient blob, byte[] bytes) = await UploadAsync(1000);
        using var source = new BlobCheckpointSource(blob);
        counter.Reset();
        var tail = new byte[64];

        int read = source.ReadAt(990, tail);
        int atEnd = source.ReadAt(1000, tail);

        Assert.Equal(10, read);
        Assert.Equal(bytes.AsSpan(990).ToArray(), tail.AsSpan(0, 10).ToArray());
        Assert.Equal(0, atEnd);
        Assert.Equal(1, counter.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.ReadAt(1001, tail));
    }

    [Fact]
    public async Task ReadAt_BlobReplacedAfterOpen_ThrowsConflictNamingTheBlob()
    {
        (BlobClient blob, _) = await UploadAsync(1000);
        using var source = new BlobCheckpointSource(blob);
        await blob.UploadAsync(BinaryData.FromBytes(new byte[1000]), overwrite: true);

        var error = Assert.Throws<BlobCheckpointConflictException>(() => source.ReadAt(0, new byte[16]));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("replaced", error.Message, StringComparison.Ordinal);
        Assert.Equal(412, error.Status);
    }

    [Fact]
    public async Task ReadAt_BlobDeletedAfterOpen_ThrowsConflictNamingTheBlob()
    {
        (BlobClient blob, _) = await UploadAsync(1000);
        using var source = new BlobCheckpointSource(blob);
        await blob.DeleteAsync();

        // The version pinned with If-Match is gone: the service answers 412, as for a replaced blob.
        var error = Assert.Throws<BlobCheckpointConflictException>(() => source.ReadAt(0, new byte[16]));

        Assert.Equal(blob.Uri, error.BlobUri);
        Assert.Contains("replaced or deleted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingBlob_ThrowsNotFoundNamingTheUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobClient blob = container.GetBlobClient("missing.msgpack");

        var error = Assert.Throws<BlobCheckpointNotFoundException>(() => new BlobCheckpointSource(blob));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task OpenAsync_WrongAccountKey_ThrowsAccessDenied()
    {
        (BlobClient blob, _) = await UploadAsync(100);
        var wrong = new BlobClient(azurite.ConnectionString.Replace(AzuriteServer.AccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal),
            blob.BlobContainerName, blob.Name, MsgpackBlob.CreateClientOptions());

        var error = await Assert.ThrowsAsync<BlobCheckpointAccessDeniedException>(() => BlobCheckpointSource.OpenAsync(wrong));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Name_SasUrl_IsTheUrlWithoutTheQuery()
    {
        (BlobClient blob, _) = await UploadAsync(100);
        Uri sas = blob.GenerateSasUri(global::Azure.Storage.Sas.BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
        using var source = new BlobCheckpointSource(new BlobClient(sas));

        Assert.Equal(blob.Uri.ToString(), source.Name);
        Assert.DoesNotContain("sig=", source.Name, StringComparison.Ordinal);
        Assert.Equal(100, source.Length);
    }

    private async Task<(BlobClient Blob, byte[] Bytes)> UploadAsync(int length)
    {
        BlobContainerClient container = azurite.CreateContainer(counter.CreateClientOptions());
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        BlobClient blob = container.GetBlobClient("data.bin");
        await blob.UploadAsync(BinaryData.FromBytes(bytes));
        return (blob, bytes);
    }
}
