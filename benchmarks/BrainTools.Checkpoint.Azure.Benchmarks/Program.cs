using System.Diagnostics;
using System.Globalization;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BrainTools.Checkpoint;
using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Azure.Testing;
using BrainTools.Checkpoint.Benchmarks.Harness;

// Side by side against one Azurite: MsgpackBlob.SaveAsync / LoadAsync of a checkpoint against the SDK's own
// UploadAsync / DownloadToAsync of the same bytes (both loads read one blob, uploaded once before the runs). Every
// case runs in a fresh child process, so its peak memory (VmHWM, reset before the call) is its own.
// AZURE_BENCH_CASES=load-ours,load-sdk runs a subset.
//   dotnet run -c Release --project benchmarks/BrainTools.Checkpoint.Azure.Benchmarks -- [size-MiB=1024] [reps=3]
if (args is ["case", string caseName, string caseConnection, string caseContainer, string sizeText])
{
    return await Cases.RunAsync(caseName, caseConnection, caseContainer, int.Parse(sizeText, CultureInfo.InvariantCulture));
}

int sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
int reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
using AzuriteServer server = AzuriteServer.Start(inMemory: true);
BlobContainerClient blobs = server.CreateContainer();
Console.WriteLine($"Azurite pid {server.ProcessId}, checkpoint of one float32 array of {sizeMiB} MiB, {reps} runs each; ours: save in blocks of 8 MiB, 5 in memory; load through BlobCheckpointSource, the core's full load (blocks of 16 MiB, 8 in flight, into native memory); SDK: 8 MiB transfers, 8 in flight");
string[] order = Environment.GetEnvironmentVariable("AZURE_BENCH_CASES")?.Split(',') ?? ["save-ours", "save-sdk", "load-ours", "load-sdk"];
if (order.Any(name => name.StartsWith("load", StringComparison.Ordinal)))
{
    Child("prepare", server.ConnectionString, blobs.Name, sizeMiB);
}

var results = order.ToDictionary(name => name, _ => new List<(double Seconds, long PeakAdded)>());
for (int rep = 0; rep < reps; rep++)
{
    foreach (string name in order)
    {
        results[name].Add(Child(name, server.ConnectionString, blobs.Name, sizeMiB));
    }
}

Console.WriteLine();
Console.WriteLine($"{"case",-10} {"median s",9} {"MiB/s",8} {"peak added MiB (median)",24}");
foreach (string name in order)
{
    double seconds = Median(results[name].Select(r => r.Seconds));
    double peak = Median(results[name].Select(r => (double)r.PeakAdded)) / (1 << 20);
    Console.WriteLine($"{name,-10} {seconds,9:F2} {sizeMiB / seconds,8:F0} {peak,24:F0}");
}

// Each run's ours and SDK cases ran back to back, so the ratio within a run is less exposed to a shared,
// noisy machine than the ratio of medians; both are printed.
Console.WriteLine();
foreach (string verb in new[] { "save", "load" }.Where(verb => results.ContainsKey(verb + "-ours") && results.ContainsKey(verb + "-sdk")))
{
    List<(double Seconds, long PeakAdded)> ours = results[verb + "-ours"], sdk = results[verb + "-sdk"];
    double ofMedians = Median(sdk.Select(r => r.Seconds)) / Median(ours.Select(r => r.Seconds));
    double paired = Median(ours.Zip(sdk, (o, k) => k.Seconds / o.Seconds));
    Console.WriteLine($"{verb}: ours / SDK throughput = {ofMedians:F2}x (ratio of medians), {paired:F2}x (median of the runs' ratios)");
}
return 0;

static (double Seconds, long PeakAdded) Child(string name, string connection, string container, int sizeMiB)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
    {
        start.ArgumentList.Add(typeof(Cases).Assembly.Location);
    }

    foreach (string argument in new[] { "case", name, connection, container, sizeMiB.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(argument);
    }

    using Process child = Process.Start(start)!;
    string output = child.StandardOutput.ReadToEnd().Trim();
    child.WaitForExit();
    if (child.ExitCode != 0)
    {
        throw new InvalidOperationException($"{name} failed ({child.ExitCode}): {output}");
    }

    string[] parts = output.Split(' ');
    var result = (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    Console.WriteLine($"  {name,-10} {result.Item1,7:F2} s  peak +{result.Item2 >> 20} MiB");
    return result;
}

static double Median(IEnumerable<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>One measured call per process.</summary>
internal static class Cases
{
    private static readonly StorageTransferOptions Transfer = new()
    {
        InitialTransferSize = 8 << 20,
        MaximumTransferSize = 8 << 20,
        MaximumConcurrency = 8,
    };

    public static async Task<int> RunAsync(string name, string connection, string containerName, int sizeMiB)
    {
        BlobContainerClient container = new BlobServiceClient(connection, MsgpackBlob.CreateClientOptions()).GetBlobContainerClient(containerName);
        Func<Task> call;
        Func<Task> warmUp;
        switch (name)
        {
            case "save-ours":
            {
                Dictionary<string, object> tree = Tree(sizeMiB);
                var options = new BlobSaveOptions { Condition = BlobCommitCondition.Overwrite };
                call = () => MsgpackBlob.SaveAsync(container, "ours.msgpack", tree, options);
                warmUp = () => MsgpackBlob.SaveAsync(container, "warm-ours.msgpack", Tree(0), options with { BlockSize = 64 << 10 });
                break;
            }

            case "save-sdk":
            {
                BinaryData bytes = BinaryData.FromBytes(Msgpack.Serialize(Tree(sizeMiB)));
                var options = new BlobUploadOptions { TransferOptions = Transfer };
                call = () => container.GetBlobClient("sdk.msgpack").UploadAsync(bytes, options);
                warmUp = () => container.GetBlobClient("warm-sdk.msgpack").UploadAsync(BinaryData.FromBytes(Msgpack.Serialize(Tree(0))), options);
                break;
            }

            case "prepare":
                // The blob both loads read, and a small one for their warm-up calls; nothing is measured.
                call = () => MsgpackBlob.SaveAsync(container, "load.msgpack", Tree(sizeMiB), new BlobSaveOptions { Condition = BlobCommitCondition.Overwrite });
                warmUp = () => MsgpackBlob.SaveAsync(container, "warm.msgpack", Tree(0), new BlobSaveOptions { Condition = BlobCommitCondition.Overwrite });
                break;

            case "load-ours":
                call = async () => GC.KeepAlive(await MsgpackBlob.LoadAsync(container, "load.msgpack"));
                warmUp = async () => GC.KeepAlive(await MsgpackBlob.LoadAsync(container, "warm.msgpack"));
                break;

            case "load-sdk":
                call = async () =>
                {
                    BlobClient blob = container.GetBlobClient("load.msgpack");
                    long length = (await blob.GetPropertiesAsync()).Value.ContentLength;
                    using var target = new MemoryStream(checked((int)length));
                    await blob.DownloadToAsync(target, new BlobDownloadToOptions { TransferOptions = Transfer });
                };
                warmUp = () => container.GetBlobClient("warm.msgpack").DownloadToAsync(new MemoryStream(), new BlobDownloadToOptions { TransferOptions = Transfer });
                break;

            default:
                throw new ArgumentException($"Unknown case {name}.", nameof(name));
        }

        // The first call loads and compiles the SDK and opens connections; the measured call is the second.
        await warmUp();
        ProcessMemory.Settle();
        long before = ProcessMemory.Resident();
        ProcessMemory.ResetPeak();
        var clock = Stopwatch.StartNew();
        await call();
        clock.Stop();
        long added = ProcessMemory.Peak() - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F3} {added}"));
        return 0;
    }

    private static Dictionary<string, object> Tree(int sizeMiB)
    {
        var weights = new float[Math.Max(16, (long)sizeMiB << 18)];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = i;
        }

        return new Dictionary<string, object> { ["weights"] = weights, ["step"] = 1000L };
    }
}
