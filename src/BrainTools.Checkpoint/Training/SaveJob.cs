using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// Runs one save into a <see cref="SaveTarget"/>: at once, or in two parts for an <see cref="AsyncManager"/> (what must
/// happen before the caller may change the model, and what may run in the background). The one place that applies
/// <see cref="AsyncSnapshot"/>.
/// </summary>
internal static class SaveJob
{
    /// <summary>Writes and commits now, on this thread. A failure leaves the old checkpoint as it was.</summary>
    public static void Run(SaveTarget target, StateNode root) => WriteAndCommit(target, root, null);

    /// <summary>
    /// Takes the snapshot <paramref name="manager"/>'s policy asks for, on the caller's thread, and returns the rest of
    /// the save for the background: under <see cref="AsyncSnapshot.TempFile"/> the temporary file is written now and
    /// only its commit is left; under the memory policies the arrays are copied now and written later.
    /// </summary>
    public static Action Prepare(AsyncManager manager, SaveTarget target, StateNode root)
    {
        if (manager.Snapshot == AsyncSnapshot.TempFile)
        {
            PendingFile file = WriteTemp(target, root, null);
            return () => target.Commit(file);
        }

        target.ThrowIfCannotCommit();
        SaveSnapshot snapshot = SaveSnapshot.Take(root, manager.MaxWorkers, manager.Pool);
        return () =>
        {
            try
            {
                WriteAndCommit(target, snapshot.Root, snapshot.Release);
            }
            finally
            {
                snapshot.Dispose();
            }
        };
    }

    private static void WriteAndCommit(SaveTarget target, StateNode root, Action<NdArray>? arrayWritten) =>
        target.Commit(WriteTemp(target, root, arrayWritten));

    private static PendingFile WriteTemp(SaveTarget target, StateNode root, Action<NdArray>? arrayWritten)
    {
        PendingFile file = target.Begin();
        try
        {
            target.Write(file, root, arrayWritten);
            return file;
        }
        catch
        {
            AtomicFile.Abort(file);
            throw;
        }
    }
}
