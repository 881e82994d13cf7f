using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Azure.Testing;

namespace BrainTools.Checkpoint.Cli.Tests;

/// <summary>
/// The tool on blob URLs of a real Azurite (<c>http://127.0.0.1:PORT/devstoreaccount1/CONTAINER/BLOB</c>), with each
/// way of giving credentials: <c>AZURE_STORAGE_CONNECTION_STRING</c>, <c>--connection-string</c>, a SAS token in the URL.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobUrlTests(AzuriteFixture azurite)
{
    private Dictionary<string, string?> Environment => new() { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString };

    [Fact]
    public async Task Inspect_BlobUrlWithTheConnectionStringInTheEnvironment_SameRowsAsTheFile()
    {
        string file = Vectors.File("seed_basic");
        BlobClient blob = await UploadAsync("seed_basic.msgpack", File.ReadAllBytes(file));

        Ckpt.Result local = Ckpt.Run("inspect", file);
        Ckpt.Result remote = Ckpt.RunWith(Environment, "inspect", blob.Uri.ToString());

        Assert.True(remote.ExitCode == 0, remote.ToString());
        Assert.StartsWith($"{blob.Uri}  msgpack  ", remote.Lines[0], StringComparison.Ordinal);
        Assert.Equal(local.Lines[1..], remote.Lines[1..]);
    }

    [Fact]
    public async Task Inspect_FilterOnTheSmallArray_ReadsTheIndexAndThatArrayOnly()
    {
        BlobContainerClient container = azurite.CreateContainer();
        await MsgpackBlob.SaveAsync(container, "big.msgpack", new Dictionary<string, object>
        {
            ["big"] = NdArray.Zeros(DType.Float32, new Shape(4L << 20)), // 16 MiB
            ["small"] = new float[] { 1, 2, 3 },
        });

        Ckpt.Result result = Ckpt.RunWith(Environment, "inspect", container.GetBlobClient("big.msgpack").Uri.ToString(), "--filter", "small", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("file_size").GetInt64() > 16 << 20);
        // An index window of 4 MiB at the start (the header of "big", then some of its payload), and the tail after
        // that payload (the index of "small" and its 12 bytes): the rest of the 16 MiB array is never read.
        Assert.InRange(json.RootElement.GetProperty("bytes_read").GetInt64(), 1, (4 << 20) + 4096);
        Assert.Equal("small", json.RootElement.GetProperty("leaves")[0].GetProperty("path").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("leaves")[0].GetProperty("max").GetDouble());
    }

    [Fact]
    public async Task Inspect_SafetensorsBlobWithAFilter_ReadsTheHeaderAndThatArrayOnly()
    {
        using var temp = new TempDirectory();
        Safetensors.Save(temp.File("m.safetensors"), new StateMap { { "big", NdArray.Zeros(DType.Float32, new Shape(4L << 20)) }, { "small", NdArray.FromArray(new float[] { 1, 2, 3 }) } });
        byte[] bytes = File.ReadAllBytes(temp.File("m.safetensors"));
        BlobClient blob = await UploadAsync("m.safetensors", bytes);
        long header = 8 + (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0, 8));

        Ckpt.Result result = Ckpt.RunWith(Environment, "inspect", blob.Uri.ToString(), "--filter", "small", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(header + 12, json.RootElement.GetProperty("bytes_read").GetInt64()); // Never the 16 MiB array.
        Assert.Equal(3, json.RootElement.GetProperty("leaves")[0].GetProperty("max").GetDouble());
    }

    [Fact]
    public async Task Inspect_NpzBlobWithAFilter_ReadsTheDirectoryTheHeadersAndThatArrayOnly()
    {
        using var temp = new TempDirectory();
        Npz.Save(temp.File("m.npz"), new StateMap { { "big", NdArray.Zeros(DType.Float32, new Shape(4L << 20)) }, { "small", NdArray.FromArray(new float[] { 1, 2, 3 }) } });
        BlobClient blob = await UploadAsync("m.npz", File.ReadAllBytes(temp.File("m.npz")));

        Ckpt.Result result = Ckpt.RunWith(Environment, "inspect", blob.Uri.ToString(), "--filter", "small", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("file_size").GetInt64() > 16 << 20);
        // Ranged reads, no download: a window of 4 MiB at the big member's header (then some of its data), windows at
        // the small member and the zip directory at the end; the rest of the 16 MiB member is never read.
        Assert.InRange(json.RootElement.GetProperty("bytes_read").GetInt64(), 12, (4 << 20) + (64 << 10));
        Assert.Equal("small", json.RootElement.GetProperty("leaves")[0].GetProperty("path").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("leaves")[0].GetProperty("max").GetDouble());
    }

    [Fact]
    public async Task Verify_SasUrlWithoutAConnectionString_OkAndTheTokenIsNeverShown()
    {
        BlobClient blob = await UploadAsync("seed_basic.msgpack", File.ReadAllBytes(Vectors.File("seed_basic")));
        Uri sas = blob.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));

        Ckpt.Result result = Ckpt.Run("verify", sas.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"OK    {blob.Uri}  msgpack, 4 leaves, ", Assert.Single(result.Lines), StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ManagerStepDamagedInItsPayload_ChecksumMismatchNamingTheUrl()
    {
        BlobContainerClient container = azurite.CreateContainer();
        using (var manager = new CheckpointManager(new BlobCheckpointStore(container, "runs/a/")))
        {
            manager.Save(1, new Dictionary<string, object> { ["w"] = new float[] { 1, 2, 3, 4 } });
        }

        BlobClient blob = container.GetBlobClient("runs/a/checkpoint_1.msgpack");
        Ckpt.Result intact = Ckpt.RunWith(Environment, "verify", blob.Uri.ToString());
        byte[] bytes = blob.DownloadContent().Value.Content.ToArray();
        bytes[^1] ^= 0x40; // A float of the payload: the file still parses.
        blob.Upload(BinaryData.FromBytes(bytes), overwrite: true);

        Ckpt.Result damaged = Ckpt.RunWith(Environment, "verify", blob.Uri.ToString());

        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.Contains("checksum xxh3-64 ok", intact.Out, StringComparison.Ordinal);
        Assert.True(damaged.ExitCode == 1, damaged.ToString());
        Assert.StartsWith($"FAIL  {blob.Uri}  checksum mismatch: manifest.json records xxh3-64:", Assert.Single(damaged.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BlobDamagedByHand_FailsNamingTheUrlAndThePath()
    {
        byte[] bytes = Msgpack.Serialize(new Dictionary<string, object> { ["a"] = "text" });
        BlobClient blob = await UploadAsync("damaged.msgpack", bytes[..^2]);

        Ckpt.Result result = Ckpt.RunWith(Environment, "verify", blob.Uri.ToString());

        Assert.True(result.ExitCode == 1, result.ToString());
        Ckpt.NoStackTrace(result);
        Assert.StartsWith($"FAIL  {blob.Uri}  invalid checkpoint: ", Assert.Single(result.Lines), StringComparison.Ordinal);
        Assert.Contains(" at path ./a", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_BlobAgainstTheLocalFileWithTheConnectionStringOption_Equal()
    {
        string file = Vectors.File("seed_physics");
        BlobClient blob = await UploadAsync("physics.msgpack", File.ReadAllBytes(file));

        Ckpt.Result result = Ckpt.Run("diff", blob.Uri.ToString(), file, "--connection-string", azurite.ConnectionString);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("equal (exactly)", result.Lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("numpy_savez.npz")]
    [InlineData("numpy_savez_compressed.npz")]
    public async Task Diff_NpzBlobAgainstTheLocalFile_Equal(string name)
    {
        string file = Vectors.Data(name);
        BlobClient blob = await UploadAsync(name, File.ReadAllBytes(file));

        Ckpt.Result result = Ckpt.RunWith(Environment, "diff", blob.Uri.ToString(), file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("equal (exactly)", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_FileToBlobUrl_TheBlobHoldsTheBytesOfALocalSaveAndIsReplacedOnlyWithForce()
    {
        string file = Vectors.File("seed_basic");
        BlobContainerClient container = azurite.CreateContainer();
        BlobClient blob = container.GetBlobClient("converted.msgpack");
        using var temp = new TempDirectory();
        string local = temp.File("local.msgpack");
        Assert.Equal(0, Ckpt.Run("convert", file, local).ExitCode);

        Ckpt.Result first = Ckpt.RunWith(Environment, "convert", file, blob.Uri.ToString());
        Ckpt.Result again = Ckpt.RunWith(Environment, "convert", Vectors.File("seed_physics"), blob.Uri.ToString());
        byte[] kept = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        Ckpt.Result forced = Ckpt.RunWith(Environment, "convert", Vectors.File("seed_physics"), blob.Uri.ToString(), "--force");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.StartsWith($"wrote {blob.Uri} (msgpack, ", first.Lines[^1], StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(local), kept);
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains($"{blob.Uri} exists; use --force", again.Error, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(Msgpack.Serialize(Msgpack.Load(Vectors.File("seed_physics"))), (await blob.DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task Convert_BlobToSafetensors_SameFileAsFromTheLocalCopy()
    {
        string file = Vectors.File("seed_basic");
        BlobClient blob = await UploadAsync("basic.msgpack", File.ReadAllBytes(file));
        using var temp = new TempDirectory();

        Ckpt.Result fromBlob = Ckpt.RunWith(Environment, "convert", blob.Uri.ToString(), temp.File("blob.safetensors"));
        Ckpt.Result fromFile = Ckpt.Run("convert", file, temp.File("file.safetensors"));

        Assert.True(fromBlob.ExitCode == 0, fromBlob.ToString());
        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.Equal(File.ReadAllBytes(temp.File("file.safetensors")), File.ReadAllBytes(temp.File("blob.safetensors")));
    }

    [Fact]
    public async Task InspectAndCheck_SafetensorsBlob_DownloadedAndReadAsTheFile()
    {
        using var temp = new TempDirectory();
        string local = temp.File("model.safetensors");
        Assert.Equal(0, Ckpt.Run("convert", Vectors.File("seed_basic"), local).ExitCode);
        BlobClient blob = await UploadAsync("model.safetensors", File.ReadAllBytes(local));

        Ckpt.Result inspect = Ckpt.RunWith(Environment, "inspect", blob.Uri.ToString());
        Ckpt.Result check = Ckpt.RunWith(Environment, "check", blob.Uri.ToString(), "--like", local);

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal(Ckpt.Run("inspect", local).Lines[1..], inspect.Lines[1..]);
        Assert.StartsWith($"{blob.Uri}  safetensors  ", inspect.Lines[0], StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Equal($"{blob.Uri} fits the structure of {local}", check.Lines[^1]);
    }

    [Theory]
    [InlineData("out.safetensors")]
    [InlineData("out.npz")]
    public async Task Convert_ToASafetensorsOrNpzBlobUrl_TheBlobHoldsTheBytesOfALocalConversion(string name)
    {
        BlobContainerClient container = azurite.CreateContainer();
        string url = container.GetBlobClient("runs/" + name).Uri.ToString();
        using var temp = new TempDirectory();
        string local = temp.File(name);

        Ckpt.Result toFile = Ckpt.Run("convert", Vectors.File("seed_basic"), local);
        Ckpt.Result toBlob = Ckpt.RunWith(Environment, "convert", Vectors.File("seed_basic"), url);
        Ckpt.Result again = Ckpt.RunWith(Environment, "convert", Vectors.File("seed_basic"), url);

        Assert.True(toFile.ExitCode == 0, toFile.ToString());
        Assert.True(toBlob.ExitCode == 0, toBlob.ToString());
        Assert.StartsWith($"wrote {url} ", toBlob.Lines[^1], StringComparison.Ordinal);
        byte[] blobBytes = (await container.GetBlobClient("runs/" + name).DownloadContentAsync()).Value.Content.ToArray();
        if (name.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            Assert.Equal(File.ReadAllBytes(local), blobBytes);
        }
        else
        {
            // A zip records the time of each member: the members, not the archive's bytes, are compared.
            using var fromBlob = new System.IO.Compression.ZipArchive(new MemoryStream(blobBytes));
            using var fromFile = System.IO.Compression.ZipFile.OpenRead(local);
            Assert.Equal(fromFile.Entries.Select(e => (e.FullName, e.Length, e.Crc32)), fromBlob.Entries.Select(e => (e.FullName, e.Length, e.Crc32)));
        }

        Assert.Equal(1, again.ExitCode); // Exists, and no --force.
    }

    [Fact]
    public void InspectVerify_MissingBlob_Exit1NamingTheUrlWithoutAStackTrace()
    {
        string url = azurite.CreateContainer().GetBlobClient("absent.msgpack").Uri.ToString();

        Ckpt.Result inspect = Ckpt.RunWith(Environment, "inspect", url);
        Ckpt.Result verify = Ckpt.RunWith(Environment, "verify", url);

        Assert.True(inspect.ExitCode == 1, inspect.ToString());
        Assert.True(verify.ExitCode == 1, verify.ToString());
        Ckpt.NoStackTrace(inspect);
        Ckpt.NoStackTrace(verify);
        Assert.Contains($"{url}: checkpoint blob not found", inspect.Error, StringComparison.Ordinal);
        Assert.StartsWith($"FAIL  {url}  ", Assert.Single(verify.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_UrlOutsideTheConnectionStringsAccount_UsageError()
    {
        Ckpt.Result result = Ckpt.RunWith(Environment, "inspect", "https://otheraccount.blob.core.windows.net/c/model.msgpack");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not in the account of the connection string of AZURE_STORAGE_CONNECTION_STRING", result.Error, StringComparison.Ordinal);
    }

    private async Task<BlobClient> UploadAsync(string name, byte[] bytes)
    {
        BlobClient blob = azurite.CreateContainer().GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromBytes(bytes));
        return blob;
    }
}
