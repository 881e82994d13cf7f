namespace BrainTools.Checkpoint.Tests.Sources;

/// <summary>
/// A lazy open of many arrays reads its predicted header windows ahead, on a pool thread, and nothing after the open
/// returns; it gives the tree and the errors it gives without (WindowReadAhead).
/// </summary>
/// <remarks>
/// The source slows the opening thread's own reads, so that the read-ahead is certain to get ahead of the walk even on
/// a busy machine: these tests say whether it fires and what it may not change, not how much it saves. The read-ahead
/// runs on the thread pool, which the test host keeps busy: the tests make sure it has threads to spare, as an
/// application's pool does between requests.
/// </remarks>
public class ReadAheadTests
{
    private const int Layers = 48;
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(5);

    public ReadAheadTests()
    {
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 4 * Environment.ProcessorCount + 8), completionPorts);
    }

    [Fact]
    public void Open_RepeatedLayers_HeadersComeFromTheReadAheadAndNothingIsReadAfterTheOpen()
    {
        Assert.True(Environment.ProcessorCount > 1, "the read-ahead needs a second core; this machine has one");
        byte[] bytes = Msgpack.Serialize(Model(_ => 16 << 10));
        var source = new RecordingSource(bytes, maxConcurrentReads: 4) { SlowThread = Environment.CurrentManagedThreadId, SlowBy = Slow };

        using CheckpointReader reader = Msgpack.Open(source);
        int readsAtOpen = source.ReadCount;
        int[] threads = [.. source.ReadThreads];
        Thread.Sleep(100);

        int own = threads.Count(t => t == source.SlowThread);
        Assert.True(threads.Length - own >= Layers / 2, $"{threads.Length - own} reads were made ahead, of {threads.Length}");
        Assert.True(own < Layers / 2, $"the walk read {own} windows itself, of {Layers} headers");
        Assert.Equal(readsAtOpen, source.ReadCount); // Ended with the index pass.
        TreeAssert.Equal(Msgpack.Deserialize(bytes), reader.ReadTree());
    }

    [Fact]
    public void Open_WeightAndBiasOfDifferentSizes_ReadAheadFiresOnThePeriodOfTwo()
    {
        byte[] bytes = Msgpack.Serialize(Model(_ => 24 << 10, bias: 12 << 10));
        var alone = new RecordingSource(bytes);
        Msgpack.Open(alone).Dispose();
        var source = new RecordingSource(bytes, maxConcurrentReads: 4) { SlowThread = Environment.CurrentManagedThreadId, SlowBy = Slow };

        using CheckpointReader reader = Msgpack.Open(source);

        int own = source.ReadThreads.Count(t => t == source.SlowThread);
        Assert.True(alone.ReadCount >= 2 * Layers, $"without read-ahead the walk reads {alone.ReadCount} windows");
        Assert.True(own < alone.ReadCount / 2, $"the walk read {own} windows itself, {alone.ReadCount} without read-ahead");
        TreeAssert.Equal(Msgpack.Deserialize(bytes), reader.ReadTree());
    }

    [Fact]
    public void Open_IrregularLayers_NothingIsReadAhead()
    {
        // Sizes all different, so no two gaps between headers are equal.
        int[] sizes = [.. Enumerable.Range(3, Layers).Select(k => k << 10).OrderBy(k => (k * 7919) % 101)];
        byte[] bytes = Msgpack.Serialize(Model(i => sizes[i]));
        var source = new RecordingSource(bytes, maxConcurrentReads: 4) { SlowThread = Environment.CurrentManagedThreadId, SlowBy = TimeSpan.Zero };

        using CheckpointReader reader = Msgpack.Open(source);

        Assert.All(source.ReadThreads, t => Assert.Equal(source.SlowThread, t));
        TreeAssert.Equal(Msgpack.Deserialize(bytes), reader.ReadTree());
    }

    [Fact]
    public void Open_OneReaderAtATime_NothingIsReadAhead()
    {
        byte[] bytes = Msgpack.Serialize(Model(_ => 16 << 10));
        var source = new RecordingSource(bytes, maxConcurrentReads: 1) { SlowThread = Environment.CurrentManagedThreadId, SlowBy = TimeSpan.Zero };

        using CheckpointReader reader = Msgpack.Open(source);

        Assert.All(source.ReadThreads, t => Assert.Equal(source.SlowThread, t));
    }

    [Fact]
    public void Open_PatternBreaksHalfway_SameTreeAndTheReadAheadResumes()
    {
        byte[] bytes = Msgpack.Serialize(Model(i => i < Layers / 2 ? 16 << 10 : 24 << 10));
        var source = new RecordingSource(bytes, maxConcurrentReads: 4) { SlowThread = Environment.CurrentManagedThreadId, SlowBy = Slow };

        using CheckpointReader reader = Msgpack.Open(source);

        int own = source.ReadThreads.Count(t => t == source.SlowThread);
        Assert.True(own < Layers / 2, $"the walk read {own} windows itself, of {Layers} headers");
        TreeAssert.Equal(Msgpack.Deserialize(bytes), reader.ReadTree());
    }

    [Fact]
    public void Open_ReadAheadReadsFail_TheWalkReadsItselfAndGivesTheSameTree()
    {
        byte[] bytes = Msgpack.Serialize(Model(_ => 16 << 10));
        var source = new RecordingSource(bytes, maxConcurrentReads: 4)
        {
            SlowThread = Environment.CurrentManagedThreadId,
            SlowBy = TimeSpan.FromMilliseconds(1),
            FailOtherThreads = true,
        };

        using CheckpointReader reader = Msgpack.Open(source);

        Assert.Contains(source.ReadThreads, t => t != source.SlowThread);
        TreeAssert.Equal(Msgpack.Deserialize(bytes), reader.ReadTree());
    }

    [Fact]
    public void Open_FileCutAfterTheRepeatedLayers_SameErrorAsWithoutReadAhead()
    {
        byte[] whole = Msgpack.Serialize(Model(_ => 16 << 10));
        byte[] bytes = whole[..(whole.Length - (40 << 10))];
        var ahead = new RecordingSource(bytes, maxConcurrentReads: 4) { SlowThread = Environment.CurrentManagedThreadId, SlowBy = Slow };
        var alone = new RecordingSource(bytes);

        var withReadAhead = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(ahead).Dispose());
        var without = Assert.Throws<InvalidCheckpointException>(() => Msgpack.Open(alone).Dispose());

        Assert.Contains(ahead.ReadThreads, t => t != ahead.SlowThread);
        Assert.Equal((without.Reason, without.ByteOffset, without.TreePath), (withReadAhead.Reason, withReadAhead.ByteOffset, withReadAhead.TreePath));
    }

    // {"layers": {"0": {"weight": ..., "bias"?: ...}, ...}, "step": 3}: float32 arrays of the given byte sizes.
    private static Dictionary<string, object> Model(Func<int, int> weightBytes, int bias = 0)
    {
        var layers = new Dictionary<string, object>();
        for (int i = 0; i < Layers; i++)
        {
            var layer = new Dictionary<string, object> { ["weight"] = NdArray.Zeros(DType.Float32, new Shape(weightBytes(i) / 4)) };
            if (bias > 0)
            {
                layer["bias"] = NdArray.Zeros(DType.Float32, new Shape(bias / 4));
            }

            layers[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = layer;
        }

        return new Dictionary<string, object> { ["layers"] = layers, ["step"] = 3L };
    }
}
