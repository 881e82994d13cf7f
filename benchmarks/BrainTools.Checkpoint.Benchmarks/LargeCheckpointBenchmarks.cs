using BenchmarkDotNet.Attributes;
using BrainTools.Checkpoint.Benchmarks.Harness;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Benchmarks;

/// <summary>Save, full load and lazy read of a 64 MiB model beside plain file writes and reads of the same bytes.</summary>
[MemoryDiagnoser]
public class LargeCheckpointBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "braintools-bdn-" + Environment.ProcessId);
    private StateMap _model = null!;
    private NativeBuffer _bytes = null!;
    private string _file = null!;

    /// <summary>Writes the model's file once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        _model = Models.Layers(64L << 20);
        _file = Path.Combine(_dir, "model.msgpack");
        Msgpack.Save(_file, _model);
        _bytes = new NativeBuffer(new FileInfo(_file).Length);
        using SafeFileHandle handle = File.OpenHandle(_file);
        _bytes.ReadFrom(handle);
    }

    /// <summary>Removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _bytes.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Baseline: the checkpoint's bytes written with a plain FileStream.</summary>
    [Benchmark(Baseline = true)]
    public void PlainWrite()
    {
        using var stream = new FileStream(Path.Combine(_dir, "plain.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        _bytes.WriteTo(stream);
    }

    /// <summary>Msgpack.Save of the model.</summary>
    [Benchmark]
    public string Save() => Msgpack.Save(Path.Combine(_dir, "saved.msgpack"), _model);

    /// <summary>The file read into a ready buffer.</summary>
    [Benchmark]
    public void PlainRead()
    {
        using SafeFileHandle handle = File.OpenHandle(_file);
        _bytes.ReadFrom(handle);
    }

    /// <summary>Msgpack.Load of the file.</summary>
    [Benchmark]
    public StateNode Load() => Msgpack.Load(_file);

    /// <summary>Msgpack.Load with the file mapped instead of read.</summary>
    [Benchmark]
    public StateNode LoadMapped() => Msgpack.Load(_file, options: MsgpackOptions.Default with { LoadMode = CheckpointLoadMode.MemoryMap });

    /// <summary>Msgpack.Open and one 4 MiB array.</summary>
    [Benchmark]
    public NdArray LazyOpenReadOne()
    {
        using CheckpointReader reader = Msgpack.Open(_file);
        return reader.ReadArray("layers/7/weight");
    }
}
