using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace BrainTools.Checkpoint.Benchmarks.Harness;

/// <summary>
/// <c>harness</c>: every figure of the performance targets in one run, each beside its baseline measured in the
/// same run on the same bytes in the same folder, each case in a fresh child process.
/// </summary>
public static class ThroughputHarness
{
    private const double MiB = 1 << 20;
    private const double GiB = 1 << 30;
    private const long Big = 1L << 30;
    private const long Half = 512L << 20;
    private const long LazySmall = 100L << 20;
    private const long LazyLarge = 4L << 30;

    private const string Usage = "Usage: harness [--dir PATH] [--reps N] [--keep]  (--dir: where the ~12 GB of test files go; --reps: timed runs per figure, default 5; --keep: leave the files)";

    /// <summary>Runs the harness: <c>harness [--dir PATH] [--reps N] [--keep]</c>.</summary>
    public static int Run(string[] args)
    {
        string dir = Path.Combine(Path.GetTempPath(), "braintools-harness");
        int reps = 5;
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dir": dir = Path.GetFullPath(args[++i]); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keep": keep = true; break;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"BrainTools.Checkpoint harness, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"  {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, {Gib(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} RAM");
        Console.WriteLine($"  folder {dir} ({new DriveInfo(dir).DriveFormat}); every case in a fresh child process; {reps} timed runs per throughput figure (medians), alternating ours/baseline");
        Console.WriteLine("  files are warm: written just before they are read (page cache), no cache drop; no fsync on either side except in the lines marked durable");
        Console.WriteLine();

        try
        {
            Console.Write("  preparing files (1 GiB and 512 MiB models; 100 MiB and two 4 GiB files for lazy opens)...");
            Child("prepare", dir, 0, Big);
            Child("prepare", dir, 0, Half);
            Child("prepare-lazy", dir, 0, LazySmall);
            Child("prepare-lazy", dir, 0, LazyLarge);
            Child("prepare-lazy-large", dir, 0, LazyLarge);
            Console.WriteLine($" {clock.Elapsed.TotalSeconds:F0} s");

            Dictionary<string, double> save = Child("save", dir, reps, Big);
            Dictionary<string, double> load = Child("load", dir, reps, Big);
            Dictionary<string, double> lazySmall = Child("lazy", dir, reps, LazySmall);
            Dictionary<string, double> lazyLarge = Child("lazy-large", dir, reps, LazyLarge);
            Dictionary<string, double> lazyMany = Child("lazy", dir, reps, LazyLarge);
            Dictionary<string, double> tutorial = Child("tutorial", dir, reps, 0);

            Console.WriteLine();
            Console.WriteLine("Throughput and latency (median of runs; ratio = baseline time / our time, higher is better)");
            Row("case", "ours", "baseline", "ratio", "target", "");
            Throughput("save 1 GiB (256 float32 arrays of 4 MiB)", save, "FileStream, 4 MiB writes", 0.9);
            Row(
                "  durable save (default: fsync file + folder)",
                Rate(save["file_bytes"], save["durable_ms"]),
                Rate(save["file_bytes"], save["plain_synced_ms"]) + " same writes + fsync",
                Ratio(save["plain_synced_ms"] / save["durable_ms"]),
                string.Empty,
                string.Empty);
            Throughput("full load of that file (new arrays)", load, "read into ready buffer", 0.9);
            Row(
                "  same, baseline: read into a new buffer",
                string.Empty,
                Rate(load["file_bytes"], load["fresh_ms"]) + " (fresh memory)",
                Ratio(load["fresh_ms"] / load["ours_ms"]),
                string.Empty,
                string.Empty);
            double intoRatio = load["into_plain_ms"] / load["into_ms"];
            Row(
                "  LoadInto a ready model (arrays exist)",
                Rate(load["file_bytes"], load["into_ms"]),
                Rate(load["file_bytes"], load["into_plain_ms"]) + " read into ready buffer",
                Ratio(intoRatio),
                ">= 0.90x",
                Verdict(intoRatio >= 0.9));
            Row(
                "  LoadMode.MemoryMap, then every array read",
                Rate(load["file_bytes"], load["mmap_touch_ms"]),
                Rate(load["file_bytes"], load["plain_ms"]) + " read into ready buffer",
                Ratio(load["plain_ms"] / load["mmap_touch_ms"]),
                string.Empty,
                $"(the load itself returns in {Ms(load["mmap_ms"])})");
            Latency($"lazy open + read 4 MiB: 100 MiB, {lazySmall["arrays"]} arrays", lazySmall, 10);
            Latency($"  4 GiB, {lazyLarge["arrays"]} arrays (64 MiB layers)", lazyLarge, 10);
            // The baseline's own scaling shows what the machine does to the same 4 MiB read in a bigger file.
            double scale = lazyLarge["ours_ms"] / lazySmall["ours_ms"];
            Row("    4 GiB file vs 100 MiB file", $"{scale:F2}x the time", $"{lazyLarge["plain_ms"] / lazySmall["plain_ms"]:F2}x the time", string.Empty, "<= 2x", Verdict(scale <= 2));
            Latency($"  4 GiB, {lazyMany["arrays"]} arrays of 4 MiB", lazyMany, 10);
            double scaleMany = lazyMany["ours_ms"] / lazySmall["ours_ms"];
            Row("    4 GiB file vs 100 MiB file", $"{scaleMany:F2}x the time", $"{lazyMany["plain_ms"] / lazySmall["plain_ms"]:F2}x the time", string.Empty, "<= 2x", Verdict(scaleMany <= 2));
            Row(
                "tutorial checkpoint save + load",
                Ms(tutorial["ours_ms"]),
                Ms(tutorial["plain_ms"]) + " write+read",
                Ratio(tutorial["plain_ms"] / tutorial["ours_ms"]),
                "< 1 ms",
                Verdict(tutorial["ours_ms"] < 1));
            Row($"  save {Ms(tutorial["save_ms"])}, load {Ms(tutorial["load_ms"])}; durable save {Ms(tutorial["durable_save_ms"])}", string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);

            Console.WriteLine();
            Console.WriteLine("Peak resident memory (VmHWM, reset before the call; 'added' = peak minus what the process held before the call)");
            Row("case", "model", "peak RSS", "added", "target", "");
            Memory("save 1 GiB (added above the live model)", Child("mem-save", dir, 0, Big), loaded: false);
            Memory("save 512 MiB (added above the live model)", Child("mem-save", dir, 0, Half), loaded: false);
            Memory("  baseline: plain write of 512 MiB", Child("mem-plain-write", dir, 0, Half), loaded: false, target: false);
            Memory("full load 1 GiB (added above the arrays)", Child("mem-load", dir, 0, Big), loaded: true);
            Memory("full load 512 MiB (added above the arrays)", Child("mem-load", dir, 0, Half), loaded: true);
            Memory("  baseline: plain read of 512 MiB", Child("mem-plain-read", dir, 0, Half), loaded: true, target: false);
            Memory("LoadInto a ready 1 GiB model (added above it)", Child("mem-load-into", dir, 0, Big), loaded: false);
            Memory("mapped load 512 MiB, all pages touched", Child("mem-load-mmap", dir, 0, Half), loaded: true);
            Memory("lazy open 4 GiB + one 4 MiB array read (all added)", Child("mem-lazy", dir, 0, LazyLarge), loaded: false);
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"harness finished in {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static void Throughput(string name, Dictionary<string, double> figures, string baseline, double target)
    {
        double ratio = figures["plain_ms"] / figures["ours_ms"];
        Row(name, Rate(figures["file_bytes"], figures["ours_ms"]), Rate(figures["file_bytes"], figures["plain_ms"]) + " " + baseline, Ratio(ratio), $">= {target:F2}x", Verdict(ratio >= target));
    }

    private static void Latency(string name, Dictionary<string, double> figures, double targetMs) => Row(
        name,
        Ms(figures["ours_ms"]),
        Ms(figures["plain_ms"]) + " pread of the 4 MiB (+ sum)",
        Ratio(figures["plain_ms"] / figures["ours_ms"]),
        $"< {targetMs} ms",
        Verdict(figures["ours_ms"] < targetMs));

    private static void Memory(string name, Dictionary<string, double> figures, bool loaded, bool target = true)
    {
        // A load's own result is the arrays: what it adds beyond them is its overhead.
        double added = figures["added_bytes"] - (loaded ? figures["model_bytes"] : 0);
        double model = figures["model_bytes"];
        Row(
            name,
            Mib(model),
            $"{Mib(figures["peak_bytes"])} ({figures["peak_bytes"] / model:F2}x model)",
            Mib(added),
            target ? "<= 64 MiB" : string.Empty,
            target ? Verdict(added <= 64 * MiB) : string.Empty);
    }

    private static Dictionary<string, double> Child(string name, string dir, int reps, long size)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in (string[])["harness-case", name, dir, reps.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? result = output.Split('\n').FirstOrDefault(line => line.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException($"Case {name} {size} failed (exit {process.ExitCode}): {output}");
        }

        return JsonSerializer.Deserialize<Dictionary<string, double>>(result["RESULT ".Length..])!;
    }

    private static void Row(string name, string ours, string baseline, string ratio, string target, string verdict) =>
        Console.WriteLine($"  {name,-46} {ours,-22} {baseline,-36} {ratio,-8} {target,-10} {verdict}");

    private static string Rate(double bytes, double ms) => $"{bytes / GiB / (ms / 1000):F2} GiB/s";

    private static string Ms(double ms) => ms < 1 ? $"{ms * 1000:F0} us" : $"{ms:F2} ms";

    private static string Mib(double bytes) => $"{bytes / MiB:F1} MiB";

    private static string Gib(double bytes) => $"{bytes / GiB:F1} GiB";

    private static string Ratio(double ratio) => $"{ratio:F2}x";

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}
