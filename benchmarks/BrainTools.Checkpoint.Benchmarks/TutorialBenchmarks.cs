using BenchmarkDotNet.Attributes;

namespace BrainTools.Checkpoint.Benchmarks;

/// <summary>The tutorial's small checkpoint: save and load in process, beside plain file calls of the same bytes.</summary>
[MemoryDiagnoser]
public class TutorialBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "braintools-bdn-tutorial-" + Environment.ProcessId);
    private StateMap _model = null!;
    private byte[] _bytes = null!;

    /// <summary>Creates the folder and the bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        _model = Models.Tutorial();
        _bytes = Msgpack.Serialize(_model);
        Msgpack.Save(Path.Combine(_dir, "model.msgpack"), _model);
    }

    /// <summary>Removes the folder.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>Baseline: File.WriteAllBytes and File.ReadAllBytes of the same bytes.</summary>
    [Benchmark(Baseline = true)]
    public byte[] PlainWriteRead()
    {
        string path = Path.Combine(_dir, "plain.bin");
        File.WriteAllBytes(path, _bytes);
        return File.ReadAllBytes(path);
    }

    /// <summary>Msgpack.Save then Msgpack.Load.</summary>
    [Benchmark]
    public StateNode SaveLoad()
    {
        string path = Path.Combine(_dir, "model.msgpack");
        Msgpack.Save(path, _model);
        return Msgpack.Load(path);
    }

    /// <summary>Msgpack.Serialize then Msgpack.Deserialize, no file.</summary>
    [Benchmark]
    public StateNode SerializeDeserialize() => Msgpack.Deserialize(Msgpack.Serialize(_model));
}
