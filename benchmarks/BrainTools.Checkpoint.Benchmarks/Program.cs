using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using BrainTools.Checkpoint.Benchmarks.Harness;

// harness: the one-command side-by-side run; harness-case: one of its measurements in a child process;
// anything else goes to BenchmarkDotNet (e.g. --filter '*Lazy*').
if (args.Length > 0 && args[0] == "harness")
{
    return ThroughputHarness.Run(args[1..]);
}

if (args.Length == 5 && args[0] == "harness-case")
{
    Dictionary<string, double> figures = Cases.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), long.Parse(args[4], CultureInfo.InvariantCulture));
    Console.WriteLine("RESULT " + JsonSerializer.Serialize(figures));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
