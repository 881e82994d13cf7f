namespace BrainTools.Checkpoint.Cli.Tests;

/// <summary>
/// Issue 13.6: damaged safetensors and npz files came out as "ckpt: unexpected InvalidDataException / ArgumentOutOfRangeException
/// / InvalidOperationException". Each is now the library's one-line reason, with the file and the tree path.
/// </summary>
public class FormatErrorTests
{
    public static TheoryData<string> DamagedFiles() =>
    [
        "damaged_central_directory.npz", "bad_local_header.npz", "truncated_member.npz", "unknown_compression.npz", "inflated_claim.npz",
        "invalid_code_point.npz", "code_point_too_large.npz",
        "invalid_utf8_header.safetensors", "header_length_too_large.safetensors", "not_contiguous.safetensors", "duplicate_name.safetensors",
        "deep_name.safetensors", "value_and_group.safetensors",
    ];

    [Theory]
    [MemberData(nameof(DamagedFiles))]
    public void Verify_DamagedFile_FailsWithTheFormatsReason(string name)
    {
        string path = Vectors.Data(Path.Combine("formats", name));
        string format = Path.GetExtension(name)[1..];

        Ckpt.Result result = Ckpt.Run("verify", path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Ckpt.NoStackTrace(result);
        string line = Assert.Single(result.Lines);
        Assert.StartsWith($"FAIL  {path}  invalid {format} file: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DamagedFiles))]
    public void ConvertAndInspect_DamagedFile_OneLineNamingTheFileNothingWritten(string name)
    {
        using var temp = new TempDirectory();
        string path = Vectors.Data(Path.Combine("formats", name));
        string format = Path.GetExtension(name)[1..];

        Ckpt.Result convert = Ckpt.Run("convert", path, temp.File("out.msgpack"));
        Ckpt.Result inspect = Ckpt.Run("inspect", path);

        foreach (Ckpt.Result result in new[] { convert, inspect })
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            Ckpt.NoStackTrace(result);
            string line = Assert.Single(result.Error.TrimEnd().Split('\n'));
            Assert.StartsWith($"ckpt: Invalid {format} file {path}: ", line, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(temp.File("out.msgpack")));
    }

    [Theory]
    [InlineData("good.npz")]
    [InlineData("good.safetensors")]
    public void Verify_GoodFileOfTheSameSet_Ok(string name)
    {
        Ckpt.Result result = Ckpt.Run("verify", Vectors.Data(Path.Combine("formats", name)));

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
