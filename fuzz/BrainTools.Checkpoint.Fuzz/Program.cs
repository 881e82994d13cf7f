using BrainTools.Checkpoint.Fuzz;

using SharpFuzz;

// ckpt-fuzz TARGET          run under afl-fuzz (the input comes on standard input)
// ckpt-fuzz TARGET FILE...  run each file once and say which ones the target does not handle (reproducing a crash)
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: BrainTools.Checkpoint.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}

if (args.Length > 1)
{
    int failed = 0;
    foreach (string file in args[1..])
    {
        try
        {
            target.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: {e}");
        }
    }

    ScratchFile.DeleteAll();
    Console.WriteLine($"{args.Length - 1 - failed} handled, {failed} not");
    return failed == 0 ? 0 : 1;
}

// Out of process: a stack overflow or a timeout kills only the child, which SharpFuzz restarts, not the campaign.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.ToArray());
});
return 0;
