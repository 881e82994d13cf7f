using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>A plain checkpoint in a store (a file of a directory, a blob): replaced only when <paramref name="overwrite"/> allows.</summary>
/// <param name="store">Where it goes.</param>
/// <param name="name">Its name in the store.</param>
/// <param name="overwrite">Whether an existing checkpoint may be replaced.</param>
/// <param name="options">Chunking and progress.</param>
internal sealed class StoreSaveTarget(ICheckpointStore store, string name, bool overwrite, MsgpackOptions options) : SaveTarget
{
    private StoreCondition Condition => overwrite ? StoreCondition.None : StoreCondition.IfAbsent;

    public override void ThrowIfCannotCommit()
    {
        if (!overwrite && store.Find(name) is not null)
        {
            throw new CheckpointConflictException($"Checkpoint already exists: {store.Locate(name)} (pass overwrite: true to replace it).", store.Locate(name));
        }
    }

    public override ICheckpointWriter Begin() => store.BeginWrite(name, Condition);

    public override void Write(ICheckpointWriter writer, StateNode root, Action<NdArray>? arrayWritten) =>
        new WireWriter(ProgressStream.Wrap(writer.Stream, options.Progress), options, arrayWritten).Write(root);

    public override void Commit(ICheckpointWriter writer) => writer.Commit();
}
