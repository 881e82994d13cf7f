using System.Diagnostics;

namespace BrainTools.Checkpoint.Tests.Interop;

/// <summary>Every file of <c>corrupt/</c> is refused with <see cref="InvalidCheckpointException"/>, quickly and in bounded memory.</summary>
public class CorruptFileTests
{
    public static IEnumerable<object[]> Files() =>
        Directory.EnumerateFiles(InteropDirectory.Corrupt, "*.msgpack").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    [Fact]
    public void CorruptDirectory_HasFiles()
    {
        Assert.NotEmpty(Files());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_CorruptFile_ThrowsInvalidCheckpointNamingFile(string name)
    {
        string path = Path.Combine(InteropDirectory.Corrupt, name);
        // This thread's allocations only: the process-wide count includes the test classes running beside this one.
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        InvalidCheckpointException e = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path));

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
        Assert.NotNull(e.TreePath);

        // Hostile lengths must not turn into allocations: a few times the file itself at most.
        long fileLength = new FileInfo(path).Length;
        Assert.True(allocated < (16 * fileLength) + (16 << 20), $"{name}: allocated {allocated} bytes for a {fileLength}-byte file");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{name}: took {clock.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Deserialize_CorruptBytes_ThrowsInvalidCheckpoint(string name)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(InteropDirectory.Corrupt, name));

        Assert.Throws<InvalidCheckpointException>(() => Msgpack.Deserialize(bytes));
    }
}
