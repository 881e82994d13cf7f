using System.Globalization;
using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.Testing;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>
/// The read-ahead of a lazy open's header windows (io_uring, <see cref="HeaderReadAhead"/>): it fires on a file of
/// equal arrays, and whatever it guesses, the index and the errors are those of a walk without it.
/// </summary>
public class HeaderReadAheadTests
{
    // 64 KiB arrays: every header after the first is past a skipped payload, in a window of its own.
    private const int Elements = 16 << 10;
    private const int Arrays = 200;

    [Fact]
    public void ReadIndex_ManyEqualArrays_TakesHeaderWindowsFromTheRing()
    {
        // io_uring is enabled on the Linux machines the suite runs on: a read-ahead that never fires fails here.
        Assert.True(OperatingSystem.IsLinux(), "the read-ahead is built on Linux's io_uring");
        using var dir = new TempDirectory();
        string path = dir.File("equal.msgpack");
        Msgpack.Save(path, Layers(Enumerable.Repeat(Elements, Arrays)));

        Walk ahead = WalkIndex(path, readAhead: true);
        Walk plain = WalkIndex(path, readAhead: false);

        // The first three headers give the strides; nearly every later one comes from the ring (one call per batch).
        // The keys "10" and "100" make two strides a byte longer: a few guesses around them miss.
        Assert.InRange(ahead.WindowsReadAhead, Arrays * 9 / 10, Arrays);
        Assert.Equal(0, plain.WindowsReadAhead);
        Assert.Equal(plain.Index, ahead.Index);
    }

    [Fact]
    public void ReadIndex_IrregularStrides_SameIndexAsWithoutReadAhead()
    {
        // Runs of equal arrays whose size changes every few arrays: each run starts a batch of guesses that the next
        // run proves wrong.
        int[] sizes = [.. Enumerable.Range(0, Arrays).Select(i => Elements + ((i / 5 % 7) * 1024) + ((i / 5 % 3) * 17))];
        using var dir = new TempDirectory();
        string path = dir.File("irregular.msgpack");
        Msgpack.Save(path, Layers(sizes));

        Walk ahead = WalkIndex(path, readAhead: true);
        Walk plain = WalkIndex(path, readAhead: false);

        Assert.Equal(plain.Index, ahead.Index);
        Assert.InRange(ahead.WindowsReadAhead, 1, Arrays - 40);
    }

    [Fact]
    public void ReadIndex_AlternatingStrides_TakesHeaderWindowsFromTheRing()
    {
        // A layer's weight then its bias: two strides in turn.
        int[] sizes = [.. Enumerable.Range(0, Arrays).Select(i => i % 2 == 0 ? Elements : Elements / 4)];
        using var dir = new TempDirectory();
        string path = dir.File("pairs.msgpack");
        Msgpack.Save(path, Layers(sizes));

        Walk ahead = WalkIndex(path, readAhead: true);
        Walk plain = WalkIndex(path, readAhead: false);

        Assert.InRange(ahead.WindowsReadAhead, Arrays * 9 / 10, Arrays);
        Assert.Equal(plain.Index, ahead.Index);
    }

    [Fact]
    public void ReadIndex_FileShrankDuringTheWalk_SameErrorAsWithoutReadAhead()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shrinks.msgpack");
        Msgpack.Save(path, Layers(Enumerable.Repeat(Elements, Arrays)));
        long length = new FileInfo(path).Length;

        // Cut in the middle of the file once it is mapped and the walk is set up: the windows past the cut read short.
        InvalidCheckpointException ahead = Assert.Throws<InvalidCheckpointException>(() => WalkIndex(path, readAhead: true, beforeWalk: () => Truncate(path, length / 2)));
        Msgpack.Save(path, Layers(Enumerable.Repeat(Elements, Arrays)));
        InvalidCheckpointException plain = Assert.Throws<InvalidCheckpointException>(() => WalkIndex(path, readAhead: false, beforeWalk: () => Truncate(path, length / 2)));

        Assert.Contains("the file shrank", ahead.Reason, StringComparison.Ordinal);
        Assert.Equal(Describe(plain), Describe(ahead));
    }

    [Fact]
    public void Open_HeaderChangedAfterTheGuesses_SameErrorAsLoad()
    {
        using var dir = new TempDirectory();
        string path = dir.File("changed.msgpack");
        Msgpack.Save(path, Layers(Enumerable.Repeat(Elements, Arrays)));

        // The dtype of an array far into the file (well inside a batch read ahead) becomes one that does not exist.
        byte[] data = File.ReadAllBytes(path);
        int at = IndexOfNth(data, "float32"u8, Arrays * 3 / 4);
        data[at + 5] = (byte)'9';
        File.WriteAllBytes(path, data);

        InvalidCheckpointException ahead = Assert.Throws<InvalidCheckpointException>(() => WalkIndex(path, readAhead: true));
        InvalidCheckpointException plain = Assert.Throws<InvalidCheckpointException>(() => WalkIndex(path, readAhead: false));
        InvalidCheckpointException open = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(path).Dispose());
        InvalidCheckpointException load = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path));

        Assert.Equal(Describe(plain), Describe(ahead));
        Assert.Equal(Describe(load), Describe(open));
        Assert.Equal((plain.Reason, plain.ByteOffset, plain.TreePath), (open.Reason, open.ByteOffset, open.TreePath));
    }

    [Fact]
    public void Open_TruncatedFile_SameErrorAsLoad()
    {
        using var dir = new TempDirectory();
        string path = dir.File("truncated.msgpack");
        Msgpack.Save(path, Layers(Enumerable.Repeat(Elements, Arrays)));
        Truncate(path, (new FileInfo(path).Length * 2 / 3) + 100);

        InvalidCheckpointException ahead = Assert.Throws<InvalidCheckpointException>(() => WalkIndex(path, readAhead: true));
        InvalidCheckpointException plain = Assert.Throws<InvalidCheckpointException>(() => WalkIndex(path, readAhead: false));
        InvalidCheckpointException open = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(path).Dispose());
        InvalidCheckpointException load = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Load(path));

        Assert.Equal(Describe(plain), Describe(ahead));
        Assert.Equal(Describe(load), Describe(open));
    }

    private static StateMap Layers(IEnumerable<int> sizes)
    {
        var layers = new StateMap();
        int i = 0;
        foreach (int size in sizes)
        {
            var values = new float[size];
            values[0] = i;
            layers.Set(i.ToString(CultureInfo.InvariantCulture), new StateMap().Set("weight", NdArray.FromArray(values, new Shape(size))));
            i++;
        }

        return new StateMap().Set("layers", layers);
    }

    // Indexes the file as a lazy open does, through a window with or without read-ahead.
    private static Walk WalkIndex(string path, bool readAhead, Action? beforeWalk = null)
    {
        using SafeFileHandle handle = File.OpenHandle(path);
        long length = RandomAccess.GetLength(handle);
        using MappedArrayStorage file = MappedArrayStorage.Map(handle, length, copyOnWrite: true);
        using var window = new WireWindow(handle, file) { ReadAhead = readAhead };
        var walker = new WireWalker<WireIndexBuilder, WireEntry, WireIndexBuilder.MapEntries>(window, new WireIndexBuilder(file), MsgpackOptions.Default);
        beforeWalk?.Invoke();
        WireEntry root = walker.ReadRoot();
        var index = new List<string>();
        Flatten(root, ".", index);
        return new Walk(index, window.WindowsReadAhead);
    }

    private static void Flatten(WireEntry entry, string path, List<string> index)
    {
        index.Add($"{path} {entry.Kind} {entry.DType} {entry.Shape} {entry.ByteOffset} {entry.ByteLength} {entry.Value}");
        foreach (WireEntry child in entry.Children)
        {
            Flatten(child, path + "/" + child.Key, index);
        }
    }

    private static (string Reason, long? Offset, string? Path) Describe(InvalidCheckpointException e) => (e.Reason, e.ByteOffset, e.TreePath);

    private static void Truncate(string path, long length)
    {
        using FileStream stream = new(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    private static int IndexOfNth(byte[] data, ReadOnlySpan<byte> value, int n)
    {
        int from = 0;
        for (int found = 0; ; found++)
        {
            int at = data.AsSpan(from).IndexOf(value);
            Assert.True(at >= 0, $"only {found} of {n + 1} occurrences");
            if (found == n)
            {
                return from + at;
            }

            from += at + value.Length;
        }
    }

    private sealed record Walk(List<string> Index, int WindowsReadAhead);
}
