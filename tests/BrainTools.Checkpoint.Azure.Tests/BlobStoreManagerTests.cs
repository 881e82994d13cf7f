using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>
/// The library's <see cref="CheckpointManager"/> on a container prefix (<see cref="BlobCheckpointStore"/>), against
/// Azurite: steps, retention, recovery, and the conditional commits that keep two managers from losing each other's steps.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobStoreManagerTests(AzuriteFixture azurite)
{
    [Fact]
    public void Save_KeepLastTwo_ListsTheLastTwoAndDeletesTheOthersAfterTheCommit()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var manager = new CheckpointManager(new BlobCheckpointStore(container, "runs/a"), CheckpointManagerOptions.Default with { KeepLast = 2 });

        for (long step = 1; step <= 4; step++)
        {
            manager.Save(step, Tree(step));
        }

        Assert.Equal([3L, 4L], manager.Checkpoints.Select(c => c.Step));
        Assert.Equal(container.GetBlobClient("runs/a/checkpoint_4.msgpack").Uri.ToString(), manager.Latest!.Path);
        Assert.Equal(["runs/a/checkpoint_3.msgpack", "runs/a/checkpoint_4.msgpack", "runs/a/manifest.json"], Names(container, "runs/a/"));
        Assert.Equal(Msgpack.Serialize(Tree(4)), Msgpack.Serialize(manager.Restore()));
    }

    [Fact]
    public void Save_KeepBestByMetric_KeepsTheBestAndTheLatest()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var manager = new CheckpointManager(new BlobCheckpointStore(container, "run"), CheckpointManagerOptions.Default with { KeepLast = 1, KeepBest = 1, BestMode = MetricMode.Min });

        manager.Save(1, Tree(1), metric: 0.5);
        manager.Save(2, Tree(2), metric: 0.1);
        manager.Save(3, Tree(3), metric: 0.9);
        manager.Save(4, Tree(4), metric: 0.7);

        Assert.Equal([2L, 4L], manager.Checkpoints.Select(c => c.Step));
        Assert.Equal(2, manager.Best!.Step);
    }

    [Fact]
    public async Task SaveAsync_ThroughAnAsyncManager_CommitsInTheBackgroundAndReopens()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using (var asyncManager = new AsyncManager())
        {
            await using var manager = new CheckpointManager(new BlobCheckpointStore(container, "run/"), null, asyncManager);
            await manager.SaveAsync(10, Tree(10), metric: 1.5, user: new Dictionary<string, object> { ["epoch"] = 3, ["note"] = "warm" });
            await manager.SaveAsync(20, Tree(20));
            await manager.WaitAsync();
        }

        using var reopened = new CheckpointManager(new BlobCheckpointStore(container, "run/"));
        Assert.Equal([10L, 20L], reopened.Checkpoints.Select(c => c.Step));
        Assert.Equal(3L, reopened.Checkpoints[0].User["epoch"]);
        Assert.Equal(1.5, reopened.Checkpoints[0].Metric);
        Assert.Equal(Msgpack.Serialize(Tree(10)), Msgpack.Serialize(reopened.Restore(10)));
    }

    [Fact]
    public void RestoreInto_Blob_FillsTheTemplatesArrays()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var manager = new CheckpointManager(new BlobCheckpointStore(container, "run/"));
        manager.Save(1, Tree(1));
        var w = new float[2001];
        var template = new Dictionary<string, object> { ["w"] = w, ["step"] = 0L };

        var restored = manager.RestoreInto(template);

        Assert.Same(w, restored["w"]);
        Assert.Equal(BlobRoundTripTests.Ramp(2001), w);
    }

    [Fact]
    public async Task Open_StepCommittedBeforeItsManifestAndStagedBlocks_RecoversTheWholeStepAndIgnoresTheBlocks()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using (var manager = new CheckpointManager(new BlobCheckpointStore(container, "run/")))
        {
            manager.Save(1, Tree(1));
        }

        // A crash after step 2's blob was committed but before the manifest listing it; one while step 3 staged blocks.
        await MsgpackBlob.SaveAsync(container, "run/checkpoint_2.msgpack", Tree(2));
        BlockBlobClient staged = container.GetBlockBlobClient("run/checkpoint_3.msgpack");
        await using (BlobCommitStream stream = await BlobCommitStream.OpenAsync(staged, new BlobSaveOptions { BlockSize = 1024 }))
        {
            Msgpack.Save(stream, Tree(3));
        }

        using var recovered = new CheckpointManager(new BlobCheckpointStore(container, "run/"));

        Assert.Equal([1L, 2L], recovered.Checkpoints.Select(c => c.Step));
        Assert.StartsWith("xxh3-64:", recovered.Latest!.Checksum, StringComparison.Ordinal);
        Assert.Equal(Msgpack.Serialize(Tree(2)), Msgpack.Serialize(recovered.Restore()));
        recovered.Save(3, Tree(3)); // The staged blocks of the crashed save are no blob: step 3 is new.
        Assert.Equal([1L, 2L, 3L], recovered.Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void Save_TwoManagersOnOnePrefix_LoserGetsConflictAndNoCommittedStepIsLost()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var a = new CheckpointManager(new BlobCheckpointStore(container, "shared/"));
        using var b = new CheckpointManager(new BlobCheckpointStore(container, "shared/"));
        a.Save(1, Tree(1));

        var lost = Assert.Throws<CheckpointConflictException>(() => b.Save(2, Tree(2)));
        a.Save(3, Tree(3));

        Assert.Equal(container.GetBlobClient("shared/manifest.json").Uri.ToString(), lost.FilePath);
        Assert.Contains("Another checkpoint manager committed", lost.Message, StringComparison.Ordinal);
        Assert.IsType<BlobCheckpointConflictException>(lost.InnerException?.InnerException);
        using var reader = new CheckpointManager(new BlobCheckpointStore(container, "shared/"));
        Assert.Equal([1L, 3L], reader.Checkpoints.Select(c => c.Step));
        Assert.Equal(["shared/checkpoint_1.msgpack", "shared/checkpoint_3.msgpack", "shared/manifest.json"], Names(container, "shared/"));

        // The loser, reopened, sees the winner's steps and commits on top of them.
        using var again = new CheckpointManager(new BlobCheckpointStore(container, "shared/"));
        again.Save(4, Tree(4));
        Assert.Equal([1L, 3L, 4L], new CheckpointManager(new BlobCheckpointStore(container, "shared/")).Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void Save_TwoManagersSaveTheSameNewStep_TheSecondCannotReplaceTheFirsts()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var a = new CheckpointManager(new BlobCheckpointStore(container, "shared/"));
        using var b = new CheckpointManager(new BlobCheckpointStore(container, "shared/"));
        a.Save(5, Tree(5));
        byte[] committed = container.GetBlobClient("shared/checkpoint_5.msgpack").DownloadContent().Value.Content.ToArray();

        var lost = Assert.Throws<CheckpointConflictException>(() => b.Save(5, Tree(6)));

        Assert.Equal(container.GetBlobClient("shared/checkpoint_5.msgpack").Uri.ToString(), lost.FilePath);
        Assert.Equal(committed, container.GetBlobClient("shared/checkpoint_5.msgpack").DownloadContent().Value.Content.ToArray());
    }

    [Fact]
    public void Restore_StepBlobDamagedByHand_FailsTheChecksumNamingTheBlobUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var manager = new CheckpointManager(new BlobCheckpointStore(container, "run/"));
        manager.Save(1, Tree(1));
        BlobClient blob = container.GetBlobClient("run/checkpoint_1.msgpack");
        byte[] bytes = blob.DownloadContent().Value.Content.ToArray();
        bytes[^1] ^= 0x55;
        blob.Upload(BinaryData.FromBytes(bytes), overwrite: true);

        var error = Assert.Throws<InvalidCheckpointException>(() => manager.Restore(1));

        Assert.Equal(blob.Uri.ToString(), error.FilePath);
        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_Manifest_IsTheCoreManifestWithBlobNames()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using var manager = new CheckpointManager(new BlobCheckpointStore(container));
        manager.Save(5, Tree(5), metric: 0.25);

        using JsonDocument manifest = JsonDocument.Parse(container.GetBlobClient("manifest.json").DownloadContent().Value.Content.ToMemory());

        Assert.Equal(1, manifest.RootElement.GetProperty("version").GetInt32());
        JsonElement entry = Assert.Single(manifest.RootElement.GetProperty("checkpoints").EnumerateArray());
        Assert.Equal(["file", "step", "time", "metric", "size", "checksum", "library_version", "user"], entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal("checkpoint_5.msgpack", entry.GetProperty("file").GetString());
        Assert.StartsWith("xxh3-64:", entry.GetProperty("checksum").GetString(), StringComparison.Ordinal);
        Assert.Equal(Msgpack.Serialize(Tree(5)).Length, entry.GetProperty("size").GetInt64());
    }

    [Fact]
    public void SaveToStore_OverwriteFalseOnAnExistingBlob_ConflictAndTheBlobIsKept()
    {
        BlobContainerClient container = azurite.CreateContainer();
        var store = new BlobCheckpointStore(container, "plain/");
        Msgpack.Save(store, "model.msgpack", Tree(1));

        var error = Assert.Throws<CheckpointConflictException>(() => Msgpack.Save(store, "model.msgpack", Tree(2), overwrite: false));

        Assert.Equal(store.Locate("model.msgpack"), error.FilePath);
        Assert.Equal(Msgpack.Serialize(Tree(1)), container.GetBlobClient("plain/model.msgpack").DownloadContent().Value.Content.ToArray());
    }

    private static Dictionary<string, object> Tree(long step) => new() { ["w"] = BlobRoundTripTests.Ramp(2000 + (int)step), ["step"] = step };

    private static List<string> Names(BlobContainerClient container, string prefix)
    {
        List<string> names = [.. container.GetBlobs(BlobTraits.None, BlobStates.None, prefix, CancellationToken.None).Select(item => item.Name)];
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
