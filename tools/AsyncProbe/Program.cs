using System.Diagnostics;
using System.Globalization;
using BrainTools.Checkpoint;

// Measures what a save costs the training thread: how long Msgpack.Save blocks with and without an AsyncManager,
// and what durability (fsync of the file and the directory) adds. Medians of several runs, in one process.
// The first save of a configuration is reported apart ("cold"): it faults in fresh memory for the copy, which later
// saves reuse. Pass --mode to measure one configuration per process (sync, sync-nondurable, async, async-memory, async-memory2, async-retained).
//   dotnet run -c Release --project tools/AsyncProbe -- [--megabytes 512] [--runs 5] [--dir path] [--mode name]
int megabytes = 512;
int runs = 5;
string? only = null;
string dir = Path.Combine(Path.GetTempPath(), "braintools-async-probe");
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--megabytes": megabytes = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--dir": dir = args[i + 1]; break;
        case "--mode": only = args[i + 1]; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}

Directory.CreateDirectory(dir);
string path = Path.Combine(dir, "model.msgpack");

// A model of 8 float32 arrays (like a few large layers), megabytes in total.
var model = new Dictionary<string, object>();
int perArray = megabytes * (1 << 20) / 8 / sizeof(float);
for (int layer = 0; layer < 8; layer++)
{
    var weights = new float[perArray];
    new Random(layer).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()));
    model[$"layer{layer}"] = weights;
}

var durable = MsgpackOptions.Default with { OnWarning = _ => { } };
var nonDurable = durable with { Durable = false };
Console.WriteLine($"Model: {megabytes} MiB in 8 float32 arrays; {runs} runs each; file {path}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
Console.WriteLine();
Console.WriteLine("| save | mode | training thread blocked: cold | blocked (median) | until the file is written (median) |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: |");

Measure("sync", "sync, durable (default)", () => Msgpack.Save(path, model, options: durable), null);
Measure("sync-nondurable", "sync, Durable = false", () => Msgpack.Save(path, model, options: nonDurable), null);
using (var manager = new AsyncManager())
{
    Measure("async", "async, TempFile (default), durable", () => Msgpack.Save(path, model, options: durable, asyncManager: manager), manager.WaitPreviousSave);
}

using (var manager = new AsyncManager { Snapshot = AsyncSnapshot.Memory })
{
    Measure("async-memory", "async, Memory, durable", () => Msgpack.Save(path, model, options: durable, asyncManager: manager), manager.WaitPreviousSave);
}

using (var manager = new AsyncManager(maxWorkers: 2) { Snapshot = AsyncSnapshot.Memory })
{
    Measure("async-memory2", "async, Memory, 2 workers, durable", () => Msgpack.Save(path, model, options: durable, asyncManager: manager), manager.WaitPreviousSave);
}

using (var manager = new AsyncManager { Snapshot = AsyncSnapshot.RetainedMemory })
{
    Measure("async-retained", "async, RetainedMemory, durable", () => Msgpack.Save(path, model, options: durable, asyncManager: manager), manager.WaitPreviousSave);
}

File.Delete(path);

void Measure(string mode, string name, Action save, Action? wait)
{
    if (only is not null && only != mode)
    {
        return;
    }

    var blocked = new List<double>();
    var total = new List<double>();
    var cold = Stopwatch.StartNew();
    save(); // Cold: JIT, fresh memory for the copy, file allocation.
    double coldBlocked = cold.Elapsed.TotalMilliseconds;
    wait?.Invoke();
    for (int run = 0; run < runs; run++)
    {
        var clock = Stopwatch.StartNew();
        save();
        blocked.Add(clock.Elapsed.TotalMilliseconds);
        wait?.Invoke();
        total.Add(clock.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine($"| {name} | {mode} | {coldBlocked:F0} ms | {Median(blocked):F0} ms | {Median(total):F0} ms |");
}

static double Median(List<double> values)
{
    values.Sort();
    return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
}

static string RuntimeInformationText() =>
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
