using System.Diagnostics;

namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>
/// Saving where the file system refuses: the Errors table's <see cref="IOException"/> with a message that names the
/// path. The tests run as root, which ignores permission bits, so they use refusals that hold for root too: sysfs
/// (no files can be created in /sys) and an immutable directory (<c>chattr +i</c>).
/// </summary>
public sealed class SavePathErrorTests
{
    private static readonly double[] Tree = [1.0, 2.0];

    [Fact]
    public void Save_DirectoryWithoutWritePermission_ThrowsIOException()
    {
        const string path = "/sys/kernel/braintools-test.msgpack";
        Assert.True(Directory.Exists("/sys/kernel"), "this test needs Linux's sysfs at /sys");

        IOException error = AssertIOException(() => Msgpack.Save(path, Tree));

        Assert.Equal($"Cannot save {path}: no permission to write in the directory /sys/kernel.", error.Message);
        Assert.IsType<UnauthorizedAccessException>(error.InnerException);
    }

    [Fact]
    public void Save_ImmutableDirectory_ThrowsIOExceptionAndKeepsTheOldCheckpoint()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.msgpack");
        Msgpack.Save(path, new[] { 0.0 });
        byte[] old = File.ReadAllBytes(path);
        Chattr("+i", dir.Path);
        try
        {
            IOException error = AssertIOException(() => Msgpack.Save(path, Tree));

            Assert.Contains($"Cannot save {path}: no permission to write in the directory {dir.Path}", error.Message, StringComparison.Ordinal);
            Assert.Equal(old, File.ReadAllBytes(path));
        }
        finally
        {
            Chattr("-i", dir.Path);
        }
    }

    [Fact]
    public void CheckpointManagerSave_DirectoryWithoutWritePermission_ThrowsIOException()
    {
        Assert.True(Directory.Exists("/sys/kernel"), "this test needs Linux's sysfs at /sys");
        using var manager = new CheckpointManager("/sys/kernel", new CheckpointManagerOptions { Prefix = "braintools_test_" });

        IOException error = AssertIOException(() => manager.Save(1, Tree));

        Assert.Contains("Cannot save /sys/kernel/braintools_test_1.msgpack: no permission", error.Message, StringComparison.Ordinal);
        Assert.Null(manager.Latest);
    }

    [Fact]
    public void CheckpointManager_DirectoryWithoutPermissionToCreate_ThrowsIOException()
    {
        IOException error = AssertIOException(() => new CheckpointManager("/sys/braintools-test/run"));

        Assert.Contains("Cannot save /sys/braintools-test/run: no permission to create the directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_ParentIsAFile_ThrowsIOExceptionNamingThePath()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a_file");
        File.WriteAllText(file, "not a directory");
        string path = Path.Combine(file, "sub", "model.msgpack");

        IOException error = AssertIOException(() => Msgpack.Save(path, Tree));

        Assert.Equal($"Cannot save {path}: {file} is a file, not a directory.", error.Message);
        Assert.Equal("not a directory", File.ReadAllText(file));
    }

    [Fact]
    public void CheckpointManager_ParentIsAFile_ThrowsIOExceptionNamingThePath()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a_file");
        File.WriteAllText(file, "not a directory");

        IOException error = AssertIOException(() => new CheckpointManager(Path.Combine(file, "run")));

        Assert.Equal($"Cannot save {Path.Combine(file, "run")}: {file} is a file, not a directory.", error.Message);
    }

    // Exactly an IOException or a subclass, never the UnauthorizedAccessException .NET gives for EACCES and EPERM.
    private static IOException AssertIOException(Action save)
    {
        Exception error = Record.Exception(save) ?? throw new Xunit.Sdk.XunitException("The save did not fail.");
        return Assert.IsAssignableFrom<IOException>(error);
    }

    private static void Chattr(string flag, string path)
    {
        using Process chattr = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("chattr did not start");
        string stderr = chattr.StandardError.ReadToEnd();
        chattr.WaitForExit();
        Assert.True(chattr.ExitCode == 0, $"chattr {flag} {path} failed (this test needs e2fsprogs' chattr on a file system with immutable files): {stderr}");
    }
}
