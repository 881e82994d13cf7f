using System.Diagnostics;
using BrainTools.Checkpoint;
using BrainTools.Checkpoint.TorchSharp;
using BrainTools.Samples.TorchSharpTraining;

// A TorchSharp training loop checkpointed by CheckpointManager: saves in the background (AsyncManager), the last 3
// and the best 1 by loss kept, and a resume after the process is killed mid-run.
//
//   TorchSharpTraining                  kills a child run at step 7, resumes it here to step 12, and checks the
//                                       result against an uninterrupted run (exit code 0 when they agree)
//   TorchSharpTraining --kill-at N DIR  the child: trains in DIR and kills itself at step N
const int Steps = 12;
TorchSerialization.Register();

if (args is ["--kill-at", string killAt, string childDir])
{
    Trainer.Run(childDir, Steps, killAtStep: int.Parse(killAt, System.Globalization.CultureInfo.InvariantCulture));
    return 2;
}

string dir = Path.Combine(Path.GetTempPath(), "braintools-torchsharp-training");
if (Directory.Exists(dir))
{
    Directory.Delete(dir, recursive: true);
}

// 1. A run that is killed (no clean-up, no flush) at step 7, right after it has started a background save.
string dll = typeof(Trainer).Assembly.Location;
string host = Environment.ProcessPath!;
var start = new ProcessStartInfo(host) { UseShellExecute = false };
if (Path.GetFileNameWithoutExtension(host) == "dotnet")
{
    start.ArgumentList.Add(dll);
}

foreach (string arg in new[] { "--kill-at", "7", dir })
{
    start.ArgumentList.Add(arg);
}

using (Process child = Process.Start(start)!)
{
    child.WaitForExit();
    Console.WriteLine($"run 1 killed at step 7 (exit code {child.ExitCode})");
}

// 2. A new run in the same folder resumes from the latest intact checkpoint.
using var resumed = Trainer.Run(dir, Steps, killAtStep: null);

// 3. The same 12 steps without interruption, for comparison.
string reference = dir + "-reference";
if (Directory.Exists(reference))
{
    Directory.Delete(reference, recursive: true);
}

using var uninterrupted = Trainer.Run(reference, Steps, killAtStep: null);
bool same = resumed.Parameters().Zip(uninterrupted.Parameters()).All(pair => pair.First.SequenceEqual(pair.Second));
Console.WriteLine($"resumed run equals the uninterrupted run bit for bit: {same}");
return same ? 0 : 1;
