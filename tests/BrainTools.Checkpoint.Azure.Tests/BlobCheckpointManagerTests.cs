using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>Steps under a container prefix: the manifest commit is the commit, concurrent managers never lose a step unnoticed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobCheckpointManagerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task SaveAsync_KeepLastTwo_ListsTheLastTwoAndDeletesTheOthersAfterTheCommit()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager manager = await BlobCheckpointManager.OpenAsync(container, "runs/a", CheckpointManagerOptions.Default with { KeepLast = 2 });

        for (long step = 1; step <= 4; step++)
        {
            await manager.SaveAsync(step, Tree(step));
        }

        Assert.Equal([3L, 4L], manager.Checkpoints.Select(c => c.Step));
        Assert.Equal(4, manager.Latest!.Step);
        List<string> blobs = await NamesAsync(container, "runs/a/");
        Assert.Equal(["runs/a/manifest.json", .. manager.Checkpoints.Select(c => "runs/a/" + c.File)], blobs.OrderBy(n => n.EndsWith("manifest.json", StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal));
        Assert.Equal(Msgpack.Serialize(Tree(4)), Msgpack.Serialize((await manager.LoadLatestAsync())!));
    }

    [Fact]
    public async Task SaveAsync_KeepBestByMetric_KeepsTheBestAndTheLatest()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager manager = await BlobCheckpointManager.OpenAsync(container, "run", CheckpointManagerOptions.Default with { KeepBest = 1, BestMode = MetricMode.Min });

        await manager.SaveAsync(1, Tree(1), metric: 0.5);
        await manager.SaveAsync(2, Tree(2), metric: 0.1);
        await manager.SaveAsync(3, Tree(3), metric: 0.9);
        await manager.SaveAsync(4, Tree(4), metric: 0.7);

        Assert.Equal([2L, 4L], manager.Checkpoints.Select(c => c.Step));
        Assert.Equal(2, manager.Best!.Step);
    }

    [Fact]
    public async Task OpenAsync_AfterSaves_RecoversTheCommittedStepsFromTheManifest()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager first = await BlobCheckpointManager.OpenAsync(container, "run/");
        await first.SaveAsync(10, Tree(10), metric: 1.5, user: new Dictionary<string, object> { ["epoch"] = 3, ["note"] = "warm" });
        await first.SaveAsync(20, Tree(20));

        BlobCheckpointManager reopened = await BlobCheckpointManager.OpenAsync(container, "run/");

        Assert.Equal(first.Checkpoints.Select(c => (c.File, c.Step, c.Size, c.Checksum)), reopened.Checkpoints.Select(c => (c.File, c.Step, c.Size, c.Checksum)));
        Assert.Equal(3L, reopened.Checkpoints[0].User["epoch"]);
        Assert.Equal(1.5, reopened.Checkpoints[0].Metric);
        Assert.Equal(Msgpack.Serialize(Tree(10)), Msgpack.Serialize(await reopened.LoadAsync(reopened.Checkpoints[0])));
    }

    [Fact]
    public async Task OpenAsync_StepBlobWithoutACommittedManifestAndStagedBlocks_AreIgnored()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager manager = await BlobCheckpointManager.OpenAsync(container, "run/");
        await manager.SaveAsync(1, Tree(1));

        // A crash after a step blob was committed but before its manifest, and one in the middle of staging blocks.
        await MsgpackBlob.SaveAsync(container, "run/checkpoint_2-orphan.msgpack", Tree(2));
        BlockBlobClient staged = container.GetBlockBlobClient("run/checkpoint_3-staged.msgpack");
        await using (BlobCommitStream stream = await BlobCommitStream.OpenAsync(staged, new BlobSaveOptions { BlockSize = 1024 }))
        {
            Msgpack.Save(stream, Tree(3));
        }

        BlobCheckpointManager recovered = await BlobCheckpointManager.OpenAsync(container, "run/");

        Assert.Equal([1L], recovered.Checkpoints.Select(c => c.Step));
        Assert.Equal(Msgpack.Serialize(Tree(1)), Msgpack.Serialize((await recovered.LoadLatestAsync())!));
    }

    [Fact]
    public async Task SaveAsync_TwoManagersOnOnePrefix_LoserGetsConflictAndNoCommittedStepIsLost()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager a = await BlobCheckpointManager.OpenAsync(container, "shared/");
        BlobCheckpointManager b = await BlobCheckpointManager.OpenAsync(container, "shared/");
        await a.SaveAsync(1, Tree(1));

        var lost = await Assert.ThrowsAsync<BlobCheckpointConflictException>(() => b.SaveAsync(2, Tree(2)));
        await a.SaveAsync(3, Tree(3));

        Assert.Contains(a.ManifestUri.ToString(), lost.Message, StringComparison.Ordinal);
        Assert.Contains("another manager", lost.Message, StringComparison.Ordinal);
        BlobCheckpointManager reader = await BlobCheckpointManager.OpenAsync(container, "shared/");
        Assert.Equal([1L, 3L], reader.Checkpoints.Select(c => c.Step));
        Assert.Equal(
            ["shared/manifest.json", .. reader.Checkpoints.Select(c => "shared/" + c.File)],
            (await NamesAsync(container, "shared/")).OrderBy(n => n.EndsWith("manifest.json", StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal));

        // The loser, reopened, sees the winner's steps and commits on top of them.
        BlobCheckpointManager again = await BlobCheckpointManager.OpenAsync(container, "shared/");
        await again.SaveAsync(4, Tree(4));
        Assert.Equal([1L, 3L, 4L], (await BlobCheckpointManager.OpenAsync(container, "shared/")).Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public async Task LoadAsync_StepBlobDamagedByHand_FailsTheChecksumNamingTheBlobUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager manager = await BlobCheckpointManager.OpenAsync(container, "run/");
        CheckpointInfo saved = await manager.SaveAsync(1, Tree(1));
        BlobClient blob = container.GetBlobClient("run/" + saved.File);
        byte[] bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[^1] ^= 0x55;
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        var error = await Assert.ThrowsAsync<InvalidCheckpointException>(() => manager.LoadAsync(saved));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_Manifest_HasTheFieldsOfTheCoreManifest()
    {
        BlobContainerClient container = azurite.CreateContainer();
        BlobCheckpointManager manager = await BlobCheckpointManager.OpenAsync(container, string.Empty);
        CheckpointInfo saved = await manager.SaveAsync(5, Tree(5), metric: 0.25);

        using JsonDocument manifest = JsonDocument.Parse((await container.GetBlobClient("manifest.json").DownloadContentAsync()).Value.Content.ToMemory());

        Assert.Equal(1, manifest.RootElement.GetProperty("version").GetInt32());
        JsonElement entry = Assert.Single(manifest.RootElement.GetProperty("checkpoints").EnumerateArray());
        Assert.Equal(
            ["file", "step", "time", "metric", "size", "checksum", "library_version", "user"],
            entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(saved.File, entry.GetProperty("file").GetString());
        Assert.StartsWith("xxh3-64:", entry.GetProperty("checksum").GetString(), StringComparison.Ordinal);
        Assert.Equal(Msgpack.Serialize(Tree(5)).Length, entry.GetProperty("size").GetInt64());
    }

    private static Dictionary<string, object> Tree(long step) => new() { ["w"] = BlobRoundTripTests.Ramp(2000 + (int)step), ["step"] = step };

    private static async Task<List<string>> NamesAsync(BlobContainerClient container, string prefix)
    {
        var names = new List<string>();
        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
        {
            names.Add(item.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
