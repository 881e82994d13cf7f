using Azure.Storage.Blobs;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Azure.Tests;

/// <summary>
/// Full loads, lazy opens and loads in place from a blob (<see cref="BlobCheckpointSource"/> under the core's
/// readers): the same trees a local file gives, only the bytes asked for, one version, errors naming the blob URL.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobReadTests(AzuriteFixture azurite)
{
    private readonly RequestCounter counter = new();

    public static TheoryData<string> Vectors() => BlobRoundTripTests.Vectors();

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task LoadOpenLoadInto_InteropVector_SameBytesAndTreeAsTheLocalFile(string vector)
    {
        string file = Path.Combine(InteropDirectory.Vectors, vector);
        StateNode expected = Msgpack.Load(file);
        BlobClient blob = azurite.CreateContainer().GetBlobClient(vector);
        await blob.UploadAsync(BinaryData.FromBytes(File.ReadAllBytes(file)));
        StateNode template = Blank(expected);
        NdArray[] templateArrays = [.. Arrays(template)];

        StateNode loaded = await MsgpackBlob.LoadAsync(blob);
        StateNode opened;
        using (CheckpointReader reader = MsgpackBlob.Open(blob))
        {
            opened = reader.ReadTree();
        }

        StateNode loadedInto = await MsgpackBlob.LoadIntoAsync(blob, template);

        Assert.Equal(File.ReadAllBytes(file), (await blob.DownloadContentAsync()).Value.Content.ToArray());
        Assert.True(expected.DeepEquals(loaded), $"{vector}: Load differs");
        Assert.True(expected.DeepEquals(opened), $"{vector}: Open differs");
        Assert.True(expected.DeepEquals(loadedInto), $"{vector}: LoadInto differs");
        Assert.Equal(Msgpack.Serialize(expected), Msgpack.Serialize(opened));
        Assert.All(templateArrays.Zip(Arrays(loadedInto)), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public async Task ReadArray_BlobReplacedBetweenOpenAndRead_ThrowsConflictNamingTheUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        await MsgpackBlob.SaveAsync(container, "ckpt.msgpack", new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(100_000) });
        BlobClient blob = container.GetBlobClient("ckpt.msgpack");
        using CheckpointReader reader = MsgpackBlob.Open(blob, new BlobLoadOptions { RangeSize = 4096 });
        await MsgpackBlob.SaveAsync(container, "ckpt.msgpack", new Dictionary<string, object> { ["w"] = new float[100_000] });

        var error = Assert.Throws<BlobCheckpointConflictException>(() => reader.ReadArray("w"));

        Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(blob.Uri, error.BlobUri);
        Assert.Equal(blob.Uri.ToString(), reader.FilePath);
    }

    [Fact]
    public async Task LoadIntoAsync_TemplateAsksForOneArray_FillsItsOwnArrayAndReadsOnlyThat()
    {
        BlobContainerClient container = azurite.CreateContainer(counter.CreateClientOptions());
        await MsgpackBlob.SaveAsync(container, "model.msgpack", new Dictionary<string, object>
        {
            ["unused"] = NdArray.Zeros(DType.Float32, new Shape(4L << 20)), // 16 MiB
            ["weight"] = new float[,] { { 1, 2 }, { 3, 4 } },
        });
        var weight = new float[2, 2];
        var model = new Dictionary<string, object> { ["weight"] = weight };
        counter.Reset();

        Dictionary<string, object> restored = await MsgpackBlob.LoadIntoAsync(
            container.GetBlobClient("model.msgpack"), model, Mismatch.Ignore, new BlobLoadOptions { RangeSize = 64 << 10 });

        Assert.Same(weight, restored["weight"]);
        Assert.Equal(new float[,] { { 1, 2 }, { 3, 4 } }, weight);

        // The properties; an index window of 64 KiB at 0 (the header of "unused", then some of its payload); one from
        // the page where the payload ends (the rest of the index); then "weight" alone, its 16 bytes. The 16 MiB of
        // "unused" past the first window are never read.
        (string Method, string Range)[] requests = [.. counter.Requests];
        Assert.True(requests.Length == 4, string.Join(", ", requests));
        Assert.Equal(("HEAD", ""), requests[0]);
        Assert.Equal(("GET", "bytes=0-65535"), requests[1]);
        Assert.Equal(16, RangeLength(requests[3].Range));
        Assert.True(requests.Skip(1).Sum(r => RangeLength(r.Range)) < 1 << 20, string.Join(", ", requests));
    }

    [Fact]
    public async Task LoadIntoAsync_ModelOfManySmallArrays_ThreeRequestsInAll()
    {
        BlobContainerClient container = azurite.CreateContainer(counter.CreateClientOptions());
        var tree = new Dictionary<string, object>();
        var model = new Dictionary<string, Dictionary<string, float[]>>();
        for (int i = 0; i < 200; i++)
        {
            tree[$"layer{i}"] = new Dictionary<string, object> { ["weight"] = Enumerable.Range(i, 64).Select(v => (float)v).ToArray(), ["bias"] = new float[] { i, -i } };
            model[$"layer{i}"] = new Dictionary<string, float[]> { ["weight"] = new float[64], ["bias"] = new float[2] };
        }

        await MsgpackBlob.SaveAsync(container, "layers.msgpack", tree);
        counter.Reset();

        await MsgpackBlob.LoadIntoAsync(container.GetBlobClient("layers.msgpack"), model);

        // The properties, the index in one window of 4 MiB, then the 400 arrays together in one ranged read.
        Assert.True(counter.Count == 3, string.Join(", ", counter.Requests));
        Assert.Equal(Enumerable.Range(42, 64).Select(v => (float)v).ToArray(), model["layer42"]["weight"]);
        Assert.Equal(new float[] { 199, -199 }, model["layer199"]["bias"]);
    }

    [Fact]
    public async Task LoadIntoAsync_Module_FillsTheStatesOwnArrays()
    {
        BlobContainerClient container = azurite.CreateContainer();
        await MsgpackBlob.SaveAsync(container, "m.msgpack", new BlobRoundTripTests.Model { Weights = [1f, 2f, 3f], Step = 9 });
        var model = new BlobRoundTripTests.Model { Weights = new float[3] };
        float[] weights = model.Weights;

        BlobRoundTripTests.Model restored = await MsgpackBlob.LoadIntoAsync(container.GetBlobClient("m.msgpack"), model);

        Assert.Same(model, restored);
        Assert.Same(weights, model.Weights);
        Assert.Equal([1f, 2f, 3f], weights);
        Assert.Equal(9, model.Step);
    }

    [Fact]
    public async Task LoadOpenLoadInto_DamagedBlob_InvalidCheckpointNamingTheUrlAndTreePath()
    {
        BlobContainerClient container = azurite.CreateContainer();
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["a"] = "text" });
        BlobClient blob = container.GetBlobClient("damaged.msgpack");
        await blob.UploadAsync(BinaryData.FromBytes(bytes[..^2]));

        var load = await Assert.ThrowsAsync<InvalidCheckpointException>(() => MsgpackBlob.LoadAsync(blob));
        var open = Assert.Throws<InvalidCheckpointException>(() => MsgpackBlob.Open(blob));
        var into = await Assert.ThrowsAsync<InvalidCheckpointException>(
            () => MsgpackBlob.LoadIntoAsync(blob, new Dictionary<string, object> { ["a"] = "" }));

        Assert.All([load, open, into], error =>
        {
            Assert.Equal(blob.Uri.ToString(), error.FilePath);
            Assert.Equal("./a", error.TreePath);
            Assert.Contains(blob.Uri.ToString(), error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task LoadAsync_SmallBlob_OneRequestForThePropertiesThenOneRead()
    {
        BlobContainerClient container = azurite.CreateContainer(counter.CreateClientOptions());
        var tree = new Dictionary<string, object> { ["w"] = BlobRoundTripTests.Ramp(100_000) };
        BlobCheckpointVersion saved = await MsgpackBlob.SaveAsync(container, "c.msgpack", tree);
        counter.Reset();

        StateNode loaded = await MsgpackBlob.LoadAsync(container.GetBlobClient("c.msgpack"));

        // The core reads the format's prefix first (to refuse what is plainly not a checkpoint), then the rest.
        Assert.Equal(Msgpack.Serialize(tree), Msgpack.Serialize(loaded));
        Assert.Equal(3, counter.Count);
        Assert.Equal(saved.Length, counter.Requests.Skip(1).Sum(r => RangeLength(r.Range)));
    }

    internal static long RangeLength(string range)
    {
        // "bytes=first-last"
        string[] bounds = range["bytes=".Length..].Split('-');
        return long.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture) + 1;
    }

    private static StateNode Blank(StateNode node) => node switch
    {
        StateMap map when Quantity.TryFromStateDict(map, out _) => map.Aggregate(new StateMap(map.Count), (blank, item) => blank.Set(item.Key, item.Key == "mantissa" ? Blank(item.Value) : item.Value)),
        StateMap map => map.Aggregate(new StateMap(map.Count), (blank, item) => blank.Set(item.Key, Blank(item.Value))),
        StateValue { Value: NdArray array } => new StateValue(NdArray.Zeros(array.DType, array.Shape)),
        _ => node,
    };

    private static IEnumerable<NdArray> Arrays(StateNode node) => node switch
    {
        StateMap map => map.SelectMany(item => Arrays(item.Value)),
        StateValue { Value: NdArray array } => [array],
        _ => [],
    };
}
