using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>
/// Faults of the server itself, each on its own Azurite with blobs on disk: killed in the middle of an upload,
/// or down for a moment while the client retries.
/// </summary>
public sealed class AzuriteFaultTests : IDisposable
{
    private readonly AzuriteServer server = AzuriteServer.Start(inMemory: false);

    public void Dispose() => server.Dispose();

    [Fact]
    public async Task SaveAsync_AzuriteKilledMidUpload_PreviousCheckpointLoadsAndNextSaveSucceeds()
    {
        BlobContainerClient container = server.CreateContainer(FewRetries());
        BlockBlobClient blob = container.GetBlockBlobClient("ckpt.msgpack");
        var previous = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(100_000), ["step"] = 1L };
        BlobCheckpointVersion committed = await MsgpackBlob.SaveAsync(blob, previous);

        // Azurite writes its metadata to disk every few seconds; a clean restart makes the commit durable first,
        // as the real service's commit is.
        server.Restart();
        var next = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(4 << 20), ["step"] = 2L };
        byte[] nextBytes = Msgpack.Serialize(next);
        BlobCommitStream stream = await BlobCommitStream.OpenAsync(blob, new BlobSaveOptions { BlockSize = 1 << 20, MaxBlocksInMemory = 4 });
        stream.Write(nextBytes.AsSpan(0, 5 << 20));
        server.Kill();

        var failed = await Assert.ThrowsAnyAsync<BlobCheckpointException>(async () =>
        {
            stream.Write(nextBytes.AsSpan(5 << 20));
            await stream.CommitAsync();
        });
        await stream.DisposeAsync();
        Assert.Contains(blob.Uri.ToString(), failed.Message, StringComparison.Ordinal);

        server.Restart();
        Assert.Equal(committed.ETag, (await blob.GetPropertiesAsync()).Value.ETag);
        Assert.Equal(Msgpack.Serialize(previous), Msgpack.Serialize(await MsgpackBlob.LoadAsync(blob)));
        await MsgpackBlob.SaveAsync(blob, next);
        Assert.Equal(nextBytes, Msgpack.Serialize(await MsgpackBlob.LoadAsync(blob)));
    }

    [Fact]
    public void ManagerSave_AzuriteKilledMidUpload_PreviousStepRestoresVerifiedAndTheNextSaveSucceeds()
    {
        BlobContainerClient container = server.CreateContainer(FewRetries());
        var previous = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(100_000), ["step"] = 1L };
        using (var manager = new CheckpointManager(new BlobCheckpointStore(container, "run/")))
        {
            manager.Save(1, previous);
        }

        server.Restart(); // Azurite's metadata on disk, as the real service's commit is durable.
        long written = 0;
        var killing = CheckpointManagerOptions.Default with
        {
            // The server dies once 5 MiB of step 2 are written: blocks in flight, nothing committed.
            Msgpack = MsgpackOptions.Default with { Progress = new ReportingProgress(bytes => { if (Interlocked.Add(ref written, bytes) > (5 << 20) && server.IsRunning) server.Kill(); }) },
        };
        var next = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(4 << 20), ["step"] = 2L };
        using (var dying = new CheckpointManager(new BlobCheckpointStore(container, "run/", new BlobSaveOptions { BlockSize = 1 << 20, MaxBlocksInMemory = 4 }), killing))
        {
            var failed = Assert.ThrowsAny<BlobCheckpointException>(() => dying.Save(2, next));
            Assert.Contains(container.GetBlobClient("run/checkpoint_2.msgpack").Uri.ToString(), failed.Message, StringComparison.Ordinal);
        }

        server.Restart();
        using var resumed = new CheckpointManager(new BlobCheckpointStore(container, "run/"));
        Assert.Equal([1L], resumed.Checkpoints.Select(c => c.Step));
        Assert.Equal(Msgpack.Serialize(previous), Msgpack.Serialize(resumed.Restore(1))); // Checksum verified first.
        resumed.Save(2, next);
        Assert.Equal(Msgpack.Serialize(next), Msgpack.Serialize(resumed.Restore(2)));
    }

    [Fact]
    public async Task LoadAsync_AzuriteDownForAMoment_SucceedsThroughTheRetryPolicy()
    {
        BlobContainerClient container = server.CreateContainer();
        var tree = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(10_000) };
        await MsgpackBlob.SaveAsync(container, "ckpt.msgpack", tree);
        server.Stop();

        // Connection refused is a transient fault: the client's policy (CreateClientOptions) retries until the server is back.
        Task<StateNode> load = MsgpackBlob.LoadAsync(container, "ckpt.msgpack");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(load.IsCompleted);
        server.Restart();

        Assert.Equal(Msgpack.Serialize(tree), Msgpack.Serialize(await load));
    }

    [Fact]
    public async Task LoadAsync_AzuriteDownPastTheRetries_ThrowsNamingTheBlobAndTheCause()
    {
        BlobContainerClient container = server.CreateContainer(FewRetries());
        server.Kill();

        var error = await Assert.ThrowsAsync<BlobCheckpointException>(() => MsgpackBlob.LoadAsync(container, "ckpt.msgpack"));

        Assert.Contains(container.GetBlobClient("ckpt.msgpack").Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, error.Status);
    }

    private static BlobClientOptions FewRetries()
    {
        BlobClientOptions options = MsgpackBlob.CreateClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.Mode = RetryMode.Fixed;
        return options;
    }
}
