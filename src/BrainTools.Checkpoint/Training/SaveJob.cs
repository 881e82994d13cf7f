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
    /// the save for the background: under <see cref="AsyncSnapshot.TempFile"/> the write (a temporary file, staged blocks) is made now
    /// and only its commit is left; under the memory policies the arrays are copied now and written later.
    /// </summary>
    public static Action Prepare(AsyncManager manager, SaveTarget target, StateNode root)
    {
        if (manager.Snapshot == AsyncSnapshot.TempFile)
        {
            ICheckpointWriter writer = WriteTemp(target, root, null);
            return () =>
            {
                using (writer)
                {
                    target.Commit(writer);
                }
            };
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

    private static void WriteAndCommit(SaveTarget target, StateNode root, Action<NdArray>? arrayWritten)
    {
        using ICheckpointWriter writer = WriteTemp(target, root, arrayWritten);
        target.Commit(writer);
    }

    // Everything but the commit; a failed write is abandoned (disposed uncommitted), leaving the old checkpoint.
    private static ICheckpointWriter WriteTemp(SaveTarget target, StateNode root, Action<NdArray>? arrayWritten)
    {
        ICheckpointWriter writer = target.Begin();
        try
        {
            target.Write(writer, root, arrayWritten);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}
