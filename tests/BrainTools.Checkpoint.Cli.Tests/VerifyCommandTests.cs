using System.IO.Hashing;
using System.Text.Json;

namespace BrainTools.Checkpoint.Cli.Tests;

public class VerifyCommandTests
{
    public static IEnumerable<object[]> CorruptFiles() =>
        Directory.EnumerateFiles(InteropDirectory.Corrupt, "*.msgpack").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    [Fact]
    public void CorruptDirectory_HasFiles()
    {
        Assert.NotEmpty(CorruptFiles());
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Verify_CorruptFile_Exit1WithOneLineReasonAndTreePath(string name)
    {
        string path = Path.Combine(InteropDirectory.Corrupt, name);

        Ckpt.Result result = Ckpt.Run("verify", path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Ckpt.NoStackTrace(result);
        Assert.Equal(string.Empty, result.Error);
        string line = Assert.Single(result.Lines);
        Assert.StartsWith($"FAIL  {path}  invalid checkpoint: ", line, StringComparison.Ordinal);
        Assert.Contains(" at path .", line, StringComparison.Ordinal);
        Assert.True(line.Length < 400, line);
    }

    [Fact]
    public void Verify_AllVectors_Exit0OneLinePerFile()
    {
        string[] files = Directory.GetFiles(InteropDirectory.Vectors, "*.msgpack").Order(StringComparer.Ordinal).ToArray();

        Ckpt.Result result = Ckpt.Run(["verify", .. files]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(files.Length + 1, result.Lines.Length);
        for (int i = 0; i < files.Length; i++)
        {
            Assert.StartsWith($"OK    {files[i]}  msgpack, ", result.Lines[i], StringComparison.Ordinal);
        }

        Assert.Equal($"{files.Length} of {files.Length} files valid", result.Lines[^1]);
    }

    [Fact]
    public void Verify_MixOfValidAndInvalid_Exit1()
    {
        Ckpt.Result result = Ckpt.Run("verify", Vectors.File("seed_basic"), Path.Combine(InteropDirectory.Corrupt, "empty_file.msgpack"), "missing.msgpack");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("OK  ", result.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("FAIL", result.Lines[1], StringComparison.Ordinal);
        Assert.Equal("FAIL  missing.msgpack  file not found", result.Lines[2]);
        Assert.Equal("1 of 3 files valid", result.Lines[3]);
    }

    [Fact]
    public void Verify_ChecksumInManifest_Ok()
    {
        using var temp = new TempDirectory();
        string path = WriteCheckpointWithManifest(temp);

        Ckpt.Result result = Ckpt.Run("verify", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("checksum xxh3-64 ok", Assert.Single(result.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FileChangedAfterManifest_Exit1ChecksumMismatch()
    {
        using var temp = new TempDirectory();
        string path = WriteCheckpointWithManifest(temp);

        // Flip one bit of the last array element: the file still decodes, only the checksum can tell.
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.NotNull(Msgpack.Load(path));

        Ckpt.Result result = Ckpt.Run("verify", path);

        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Lines);
        Assert.StartsWith($"FAIL  {path}  checksum mismatch: manifest.json records xxh3-64:", line, StringComparison.Ordinal);
        Assert.EndsWith($"the file has xxh3-64:{XxHash3.HashToUInt64(bytes):x16}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SizeDiffersFromManifest_Exit1()
    {
        using var temp = new TempDirectory();
        string path = WriteCheckpointWithManifest(temp);
        Msgpack.Save(path, new StateMap { { "step", 11L } });

        Ckpt.Result result = Ckpt.Run("verify", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("size mismatch: manifest.json records", Assert.Single(result.Lines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("model.npz")]
    public void Verify_ConvertedFiles_OkAndTruncatedCopiesFail(string name)
    {
        using var temp = new TempDirectory();
        string good = temp.File(name);
        string truncated = temp.File("truncated_" + name);
        Assert.Equal(0, Ckpt.Run("convert", Vectors.File("seed_complex_model"), good).ExitCode);
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length - 10).ToArray());
        string format = Path.GetExtension(name)[1..];

        Ckpt.Result result = Ckpt.Run("verify", good, truncated);

        Assert.Equal(1, result.ExitCode);
        Ckpt.NoStackTrace(result);
        Assert.StartsWith($"OK    {good}  {format}, 17 leaves, ", result.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"FAIL  {truncated}  invalid {format} file: ", result.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NoArguments_Exit2()
    {
        Assert.Equal(2, Ckpt.Run("verify").ExitCode);
    }

    private static string WriteCheckpointWithManifest(TempDirectory temp)
    {
        string path = temp.File("checkpoint_10.msgpack");
        Msgpack.Save(path, new StateMap { { "step", 10L }, { "w", NdArray.FromArray(new float[] { 1, 2, 3 }, new Shape(3)) } });
        byte[] bytes = File.ReadAllBytes(path);
        var manifest = new
        {
            version = 1,
            checkpoints = new[]
            {
                new { file = "checkpoint_10.msgpack", step = 10, time = "2026-11-28T12:00:00Z", metric = (double?)null, size = bytes.Length, checksum = $"xxh3-64:{XxHash3.HashToUInt64(bytes):x16}", library_version = "0.1.0", user = new { } },
            },
        };
        File.WriteAllText(temp.File("manifest.json"), JsonSerializer.Serialize(manifest));
        return path;
    }
}
