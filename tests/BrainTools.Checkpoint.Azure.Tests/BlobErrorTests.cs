using Azure;
using Azure.Storage.Blobs;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>Every failure is a typed exception that names the blob URL and what failed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobErrorTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task LoadAsync_MissingBlob_ThrowsNotFoundNamingTheUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobClient blob = container.GetBlobClient("absent.msgpack");

        var error = await Assert.ThrowsAsync<BlobCheckpointNotFoundException>(() => MsgpackBlob.LoadAsync(blob));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task LoadAsync_MissingContainer_ThrowsNotFoundSayingTheContainer()
    {
        BlobContainerClient container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("nocontainer");

        var error = await Assert.ThrowsAsync<BlobCheckpointNotFoundException>(() => MsgpackBlob.LoadAsync(container, "a.msgpack"));

        Assert.Contains("container does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("ContainerNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task SaveAsync_MissingContainer_ThrowsNotFoundBeforeUploading()
    {
        BlobContainerClient container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("nocontainer");

        var error = await Assert.ThrowsAsync<BlobCheckpointNotFoundException>(
            () => MsgpackBlob.SaveAsync(container, "a.msgpack", new Dictionary<string, object> { ["x"] = 1L }));

        Assert.Contains(container.Uri.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_WrongAccountKey_ThrowsAccessDenied()
    {
        BlobContainerClient good = azurite.CreateContainer();
        await MsgpackBlob.SaveAsync(good, "a.msgpack", new Dictionary<string, object> { ["x"] = 1L });
        string wrongKey = Convert.ToBase64String(new byte[64]);
        string connection = azurite.ConnectionString.Replace(AzuriteServer.AccountKey, wrongKey, StringComparison.Ordinal);
        BlobClient blob = new BlobServiceClient(connection).GetBlobContainerClient(good.Name).GetBlobClient("a.msgpack");

        var error = await Assert.ThrowsAsync<BlobCheckpointAccessDeniedException>(() => MsgpackBlob.LoadAsync(blob));

        Assert.Equal(403, error.Status);
        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("access denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_BlobTruncatedByHand_ThrowsInvalidCheckpointNamingTheUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        var tree = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(1000) };
        await MsgpackBlob.SaveAsync(container, "c.msgpack", tree);
        BlobClient blob = container.GetBlobClient("c.msgpack");
        byte[] bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        await blob.UploadAsync(BinaryData.FromBytes(bytes.AsMemory(0, bytes.Length - 100)), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidCheckpointException>(() => MsgpackBlob.LoadAsync(blob));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(blob.Uri.ToString(), error.FilePath);
    }

    public static TheoryData<string> CorruptVectors()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(InteropDirectory.Corrupt).Order(StringComparer.Ordinal))
        {
            if (!file.EndsWith(".json", StringComparison.Ordinal))
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorruptVectors))]
    public async Task LoadAsync_CorruptVector_ThrowsInvalidCheckpointNamingTheUrl(string vector)
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobClient blob = container.GetBlobClient(vector);
        await blob.UploadAsync(BinaryData.FromBytes(File.ReadAllBytes(Path.Combine(InteropDirectory.Corrupt, vector))));

        var error = await Assert.ThrowsAsync<InvalidCheckpointException>(() => MsgpackBlob.LoadAsync(blob));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_BlobOverTheSizeLimit_IsRefusedBeforeDownloading()
    {
        BlobContainerClient container = azurite.CreateContainer();
        await MsgpackBlob.SaveAsync(container, "c.msgpack", new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(1000) });
        var options = new BlobLoadOptions { Msgpack = MsgpackOptions.Default with { MaxFileSize = 100 } };

        var error = await Assert.ThrowsAsync<InvalidCheckpointException>(() => MsgpackBlob.LoadAsync(container, "c.msgpack", options));

        Assert.Contains("MaxFileSize", error.Message, StringComparison.Ordinal);
        Assert.Contains(container.GetBlobClient("c.msgpack").Uri.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(409, "BlockCountExceedsLimit", typeof(BlobCheckpointQuotaException))]
    [InlineData(413, "RequestBodyTooLarge", typeof(BlobCheckpointQuotaException))]
    [InlineData(403, "AuthorizationFailure", typeof(BlobCheckpointAccessDeniedException))]
    [InlineData(404, "ContainerNotFound", typeof(BlobCheckpointNotFoundException))]
    [InlineData(412, "ConditionNotMet", typeof(BlobCheckpointConflictException))]
    [InlineData(409, "BlobAlreadyExists", typeof(BlobCheckpointConflictException))]
    [InlineData(400, "InvalidBlockList", typeof(BlobCheckpointConflictException))]
    [InlineData(500, "InternalError", typeof(BlobCheckpointException))]
    public void Translate_ServiceErrorCode_GivesItsTypedExceptionWithTheUrlWithoutTheQuery(int status, string code, Type expected)
    {
        var uri = new Uri("https://acct.blob.core.windows.net/c/ckpt.msgpack?sv=2025&sig=SECRET");

        BlobCheckpointException error = BlobErrors.Translate(new RequestFailedException(status, "service said no", code, null), uri, "commit the block list of");

        Assert.IsType(expected, error);
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.ErrorCode);
        Assert.Contains("https://acct.blob.core.windows.net/c/ckpt.msgpack", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
    }
}
