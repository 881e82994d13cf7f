using System.Globalization;
using BrainTools.Checkpoint.Benchmarks.Harness;
using BrainTools.Checkpoint.TorchSharp;
using BrainTools.Checkpoint.TorchSharp.Benchmarks;
using static TorchSharp.torch;

// Side by side on one module of 8 x Linear(4096, 2048) (256 MiB of float32), every case in this process on the
// same module and the same disk, alternating so that each sees the same page-cache and memory state:
//   save: ours (TorchCheckpoint.Save: temp file, rename; durable adds the fsyncs, not durable is like for like)
//         vs TorchSharp module.save vs a plain FileStream write of the same parameter bytes (neither fsyncs);
//   load: ours into the module's own parameters (TorchCheckpoint.LoadInto) vs TorchSharp module.load vs a plain
//         FileStream read of the same bytes into the same parameters.
// Before each timed operation the harness calls sync(2), untimed, so no case pays for another's dirty pages.
// Usage: BrainTools.Checkpoint.TorchSharp.Benchmarks [runs=7] [folder=temp]
int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
string root = Path.Combine(args.Length > 1 ? args[1] : Path.GetTempPath(), "braintools-torch-bench-" + Environment.ProcessId);
Directory.CreateDirectory(root);
try
{
    using var module = nn.Sequential([.. Enumerable.Range(0, 8).Select(i => ((string, nn.Module<Tensor, Tensor>))($"fc{i}", nn.Linear(4096, 2048)))]);
    Tensor[] parameters = [.. module.state_dict().Values];
    long bytes = parameters.Sum(p => p.numel() * p.element_size());
    var cases = new ModuleCases(module, parameters, root);
    Console.WriteLine($"module: 8 x Linear(4096, 2048), {bytes / (1024.0 * 1024):F0} MiB float32; {runs} runs each, medians; files in {root}");

    var save = new Dictionary<string, List<double>> { ["ours"] = [], ["ours durable"] = [], ["module.save"] = [], ["plain write"] = [] };
    var load = new Dictionary<string, List<double>> { ["ours"] = [], ["ours no report"] = [], ["module.load"] = [], ["plain read"] = [] };
    cases.Prepare();
    for (int run = 0; run < runs; run++)
    {
        save["ours"].Add(Measure(cases.SaveOurs));
        save["ours durable"].Add(Measure(cases.SaveOursDurable));
        save["module.save"].Add(Measure(cases.SaveTorchSharp));
        save["plain write"].Add(Measure(cases.WritePlain));
        load["ours"].Add(Measure(cases.LoadOurs));
        load["ours no report"].Add(Measure(cases.LoadOursBare));
        load["module.load"].Add(Measure(cases.LoadTorchSharp));
        load["plain read"].Add(Measure(cases.ReadPlain));
    }

    cases.CheckLoaded();
    Print("save", save, bytes);
    Print("load", load, bytes);
    double oursSave = Timing.Median(save["ours"]), oursLoad = Timing.Median(load["ours"]);
    double torchSave = Timing.Median(save["module.save"]), torchLoad = Timing.Median(load["module.load"]), plainRead = Timing.Median(load["plain read"]);
    Console.WriteLine();
    Target("save at least as fast as module.save", torchSave / oursSave, 1.0);
    Console.WriteLine($"{"  (durable save vs module.save, which does not fsync)",-42} {torchSave / Timing.Median(save["ours durable"]),5:F2}x");
    Target("load into the module >= 2x module.load", torchLoad / oursLoad, 2.0);
    Target("load into the module >= 0.9x plain read", plainRead / oursLoad, 0.9);
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}

static double Measure(Action action)
{
    ModuleCases.Sync();
    return Timing.Milliseconds(action);
}

static void Print(string what, Dictionary<string, List<double>> figures, long bytes)
{
    Console.WriteLine();
    Console.WriteLine($"{what,-6} {"median",10} {"min",10} {"max",10} {"GiB/s",8} {"ours vs it",11}");
    double ours = Timing.Median(figures["ours"]);
    foreach ((string name, List<double> times) in figures)
    {
        double median = Timing.Median(times);
        string ratio = name == "ours" ? "" : $"{median / ours:F2}x";
        Console.WriteLine($"{name,-14} {median,7:F1} ms {times.Min(),7:F1} ms {times.Max(),7:F1} ms {bytes / (1024.0 * 1024 * 1024) / (median / 1000),8:F2} {ratio,11}");
    }
}

static void Target(string what, double ratio, double target) =>
    Console.WriteLine($"{what,-42} {ratio,5:F2}x (target {target:F1}x): {(ratio >= target ? "met" : "MISSED")}");
