namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// What one restore shares across all its places: the call's options and file, where loaded arrays go
/// (<see cref="ArraySink"/>), and, for a dry run, the log that collects mismatches instead of throwing them.
/// </summary>
internal sealed class RestoreRun
{
    public RestoreRun(MsgpackOptions? options, string? filePath, ArraySink sink, ReconcileLog? log = null)
    {
        Options = options;
        FilePath = filePath;
        Sink = sink;
        Log = log;
    }

    public MsgpackOptions? Options { get; }

    public string? FilePath { get; }

    public ArraySink Sink { get; }

    /// <summary>Set for a dry run (<see cref="StateDictConverters.Reconcile"/>).</summary>
    public ReconcileLog? Log { get; }

    /// <summary>The context of the root of this restore.</summary>
    public CheckpointRestoreContext Root(Mismatch mismatch) => new(this, TreePath.Root, mismatch);
}
