using BrainTools.Checkpoint;
using BrainTools.Checkpoint.CrashChild;

// A child process for the crash tests: saves large checkpoints in a loop until it is killed.
//   save-loop <path> <writer> <first-generation> <megabytes> [sync|async|async-memory]
//     saves CrashModel generations first, first+1, ... over <path>; prints "saved {generation}" after each.
//   manager-loop <directory> <first-step> <megabytes>
//     saves step after step through a CheckpointManager (keep the last 2); prints "saved {step}" after each commit.
// Prints "ready" once it is about to start saving.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: save-loop <path> <writer> <first-generation> <megabytes> [sync|async|async-memory] | manager-loop <directory> <first-step> <megabytes>");
    return 2;
}

var warningsOff = MsgpackOptions.Default with { OnWarning = _ => { } };
switch (args[0])
{
    case "save-loop":
    {
        string path = args[1];
        int writer = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        long generation = long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        int megabytes = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
        string mode = args.Length > 5 ? args[5] : "sync";
        using var manager = mode switch
        {
            "async" => new AsyncManager(),
            "async-memory" => new AsyncManager { Snapshot = AsyncSnapshot.Memory },
            _ => null,
        };
        Console.WriteLine("ready");
        for (; ; generation++)
        {
            Msgpack.Save(path, CrashModel.Create(writer, generation, megabytes), options: warningsOff, asyncManager: manager);
            manager?.WaitPreviousSave();
            Console.WriteLine($"saved {generation}");
        }
    }

    case "manager-loop":
    {
        string directory = args[1];
        long step = long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int megabytes = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        using var async = new AsyncManager();
        using var checkpoints = new CheckpointManager(directory, new CheckpointManagerOptions { KeepLast = 2, Msgpack = warningsOff }, async);
        Console.WriteLine("ready");
        for (; ; step++)
        {
            checkpoints.Save(step, CrashModel.Create(0, step, megabytes), metric: step);
            checkpoints.Wait();
            Console.WriteLine($"saved {step}");
        }
    }

    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}
