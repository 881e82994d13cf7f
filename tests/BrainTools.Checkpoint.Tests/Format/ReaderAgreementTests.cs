using BrainTools.Checkpoint.Tests.EntryPoints;
using BrainTools.Checkpoint.Tests.Interop;
using BrainTools.Checkpoint.Tests.Sources;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>
/// Every entry point reads through one wire reader: on the same damaged bytes, <c>Load(path)</c>, <c>Load(stream)</c>,
/// <c>Open(path)</c> followed by reading every entry, <c>Load(source)</c> and <c>Open(source)</c> of a source that is
/// not mapped (as a blob), and <c>Deserialize(bytes)</c> throw the same exception type with the same reason, byte
/// offset (absolute) and tree path.
/// </summary>
public class ReaderAgreementTests
{
    public static IEnumerable<object[]> CorruptFiles() => CorruptFileTests.Files();

    public static IEnumerable<object[]> HostileFiles() =>
        Directory.EnumerateFiles(HostileData.Directory, "*.msgpack").Order(StringComparer.Ordinal)
            .Where(f => Path.GetFileName(f) != HostileData.ZeroSizeHugeDimension)
            .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void EveryEntryPoint_CorruptFile_SameTypeReasonOffsetAndPath(string name)
    {
        byte[] data = File.ReadAllBytes(Path.Combine(InteropDirectory.Corrupt, name));

        Failure[] failures = Failures(data);

        Assert.All(failures, f => Assert.Equal(nameof(InvalidCheckpointException), f.Type));
        Assert.All(failures, f => Assert.Equal(failures[0], f));
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void EveryEntryPoint_HostileFile_SameTypeReasonOffsetAndPath(string name)
    {
        byte[] data = File.ReadAllBytes(Path.Combine(HostileData.Directory, name));

        Failure[] failures = Failures(data);

        Assert.All(failures, f => Assert.Equal(nameof(InvalidCheckpointException), f.Type));
        Assert.All(failures, f => Assert.Equal(failures[0], f));
    }

    [Fact]
    public void EveryEntryPoint_NestedChunkedArray_RefusedWithTheSameWords()
    {
        byte[] data = File.ReadAllBytes(Path.Combine(HostileData.Directory, "nested_chunked_array.msgpack"));

        Failure[] failures = Failures(data);

        Assert.All(failures, f => Assert.Equal(new Failure(nameof(InvalidCheckpointException), "a chunk of a chunked array is itself a chunked array (flax's chunks are flat arrays)", 3, "./a"), f));
    }

    [Fact]
    public void EveryEntryPoint_TruncatedAtEveryOffset_SameFailure()
    {
        byte[] whole = Msgpack.Serialize(SmallModel());

        for (int length = 0; length < whole.Length; length++)
        {
            Failure[] failures = Failures(whole[..length]);

            Assert.True(failures.All(f => f == failures[0]), $"cut at {length} of {whole.Length}: {string.Join(" | ", failures)}");
            Assert.Equal(nameof(InvalidCheckpointException), failures[0].Type);
            Assert.InRange(failures[0].Offset ?? -1, 0, length);
        }
    }

    [Fact]
    public void EveryEntryPoint_TruncatedInsideAValue_NamesWhereThatValueStarts()
    {
        // {"a": "hello"}: the string starts at byte 3; cut after 5 bytes, it runs past the end.
        byte[] whole = Msgpack.Serialize(new Dictionary<string, object> { ["a"] = "hello" });

        Failure[] failures = Failures(whole[..5]);

        Assert.All(failures, f => Assert.Equal(new Failure(nameof(InvalidCheckpointException), "the data ends early (truncated) near byte 3", 3, "./a"), f));
    }

    [Fact]
    public void EveryEntryPoint_BadUtf8DeepInLargeFile_NamesTheBadByte()
    {
        // A map of 300 strings, the last one with an invalid byte two bytes before the end of the file (as in the
        // issue: Load said 8030, Open 5).
        var tree = new Dictionary<string, object>();
        for (int i = 0; i < 300; i++)
        {
            tree[$"k{i:D3}"] = new string('x', 30);
        }

        byte[] data = Msgpack.Serialize(tree);
        int bad = data.Length - 2;
        data[bad] = 0xFF;

        Failure[] failures = Failures(data);

        Assert.All(failures, f => Assert.Equal(new Failure(nameof(InvalidCheckpointException), $"a string is not valid UTF-8 near byte {bad}", bad, "./k299"), f));
    }

    [Fact]
    public void EveryEntryPoint_BadUtf8InKey_NamesTheBadByteAndTheMap()
    {
        byte[] data = Msgpack.Serialize(new Dictionary<string, object> { ["outer"] = new Dictionary<string, object> { ["ab"] = 1L } });
        int key = Array.LastIndexOf(data, (byte)'a');
        data[key] = 0xC3; // a lead byte followed by 'b': invalid

        Failure[] failures = Failures(data);

        Assert.All(failures, f => Assert.Equal(new Failure(nameof(InvalidCheckpointException), $"a string is not valid UTF-8 near byte {key}", key, "./outer"), f));
    }

    [Fact]
    public void EveryEntryPoint_NestingBomb_SameShortenedPath()
    {
        byte[] data = Msgpack.Serialize(DeepTrees.Chain(40));

        Failure[] failures = Failures(data, MsgpackOptions.Default with { MaxDepth = 30 });

        // Map 31 starts after 30 levels of {"a": ...} (3 bytes each); its path has 30 keys.
        Assert.All(failures, f => Assert.Equal(new Failure(nameof(InvalidCheckpointException), "maps nest deeper than 30 levels (MsgpackOptions.MaxDepth)", 90, "./a/a/a/a/a/a/a/a/...(14 more)/a/a/a/a/a/a/a/a"), f));
    }

    [Fact]
    public void EveryEntryPoint_EveryByteReplaced_SameFailureAndNoRawDotNetText()
    {
        byte[] whole = Msgpack.Serialize(SmallModel());
        byte[] replacements = [0x00, 0x7F, 0x80, 0xC1, 0xCF, 0xDD, 0xFF];

        for (int at = 0; at < whole.Length; at++)
        {
            foreach (byte b in replacements)
            {
                byte[] data = (byte[])whole.Clone();
                data[at] = b;

                Failure[] failures = Failures(data);

                Assert.True(failures.All(f => f == failures[0]), $"byte {at} = 0x{b:x2}: {string.Join(" | ", failures)}");
                Assert.DoesNotContain("Parameter '", failures[0].Reason ?? string.Empty, StringComparison.Ordinal);
                Assert.DoesNotContain("Specified argument", failures[0].Reason ?? string.Empty, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void EveryEntryPoint_ValuesAcrossWindowEnds_DamagedOrCut_SameFailure()
    {
        // Each string and byte string follows a skipped payload, so a lazy open reads it with a 4 KiB window that
        // ends inside it: a source that is not mapped must read each whole, and report damage in its last byte.
        var tree = new Dictionary<string, object>();
        for (int i = 0; i < 12; i++)
        {
            tree[$"a{i}"] = NdArray.FromArray(new float[8192]);
            tree[$"s{i}"] = new string('x', 3000 + (i * 397 % 6000));
            tree[$"p{i}"] = NdArray.FromArray(new float[8192]);
            tree[$"b{i}"] = new byte[3000 + (i * 131 % 5000)];
        }

        byte[] whole = Msgpack.Serialize(tree);
        var ends = new List<int>();
        for (int at = whole.Length - 1; at > 0; at--)
        {
            if (whole[at] == (byte)'x' && whole[at + 1] != (byte)'x')
            {
                ends.Add(at);
            }
        }

        Assert.Equal(12, ends.Count);
        foreach (int at in ends)
        {
            byte[] damaged = (byte[])whole.Clone();
            damaged[at] = 0xFF;
            Failure[] failures = Failures(damaged);
            Failure[] truncated = Failures(whole[..(at - 100)]);

            Assert.Equal($"a string is not valid UTF-8 near byte {at}", failures[0].Reason);
            Assert.True(failures.All(f => f == failures[0]), $"byte {at} = 0xff: {string.Join(" | ", failures)}");
            Assert.True(truncated.All(f => f == truncated[0]), $"cut at {at - 100}: {string.Join(" | ", truncated)}");
        }
    }

    internal static Dictionary<string, object> SmallModel() => new()
    {
        ["layers"] = new Dictionary<string, object>
        {
            ["0"] = new Dictionary<string, object> { ["weight"] = NdArray.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }), ["bias"] = NdArray.FromArray(new[] { 0.5f, -0.5f }) },
        },
        ["step"] = 1234L,
        ["name"] = "model",
        ["lr"] = 1e-3,
        ["big"] = NdArray.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }),
    };

    // What each entry point throws for the bytes ("none" when it reads them).
    internal static Failure[] Failures(byte[] data, MsgpackOptions? options = null)
    {
        using var dir = new TempDirectory();
        string path = dir.File("data.msgpack");
        File.WriteAllBytes(path, data);
        return
        [
            Capture(() => Msgpack.Load(path, options: options)),
            Capture(() => Msgpack.Load(new MemoryStream(data), options)),
            Capture(() => Msgpack.Load(new OneByteAtATimeStream(new MemoryStream(data)), options)),
            Capture(() =>
            {
                using CheckpointReader reader = Msgpack.Open(path, options);
                reader.ReadTree();
            }),
            Capture(() => Msgpack.Deserialize(data, options)),
            Capture(() => Msgpack.Load(new RecordingSource(data) { MaxBytesPerRead = 1000 }, options)),
            Capture(() =>
            {
                using CheckpointReader reader = Msgpack.Open(new RecordingSource(data) { MaxBytesPerRead = 1000 }, options);
                reader.ReadTree();
            }),
            Capture(() =>
            {
                // Concurrent reads allowed: the index pass may read ahead.
                using CheckpointReader reader = Msgpack.Open(new RecordingSource(data, maxConcurrentReads: 4) { MaxBytesPerRead = 1000 }, options);
                reader.ReadTree();
            }),
        ];
    }

    private static Failure Capture(Action read)
    {
        try
        {
            read();
            return new Failure("none", null, null, null);
        }
        catch (InvalidCheckpointException e)
        {
            return new Failure(e.GetType().Name, e.Reason, e.ByteOffset, e.TreePath);
        }
        catch (Exception e)
        {
            return new Failure(e.GetType().Name, e.Message, null, null);
        }
    }

    internal sealed record Failure(string Type, string? Reason, long? Offset, string? TreePath);
}
