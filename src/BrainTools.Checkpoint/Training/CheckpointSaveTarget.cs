using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// A step of a <see cref="CheckpointManager"/>: the file is hashed while it is written (no second read), and its commit
/// is the manager's (the step, then the manifest, then retention).
/// </summary>
/// <param name="request">The save as the caller made it.</param>
/// <param name="options">Chunking and progress.</param>
/// <param name="libraryVersion">Recorded in the manifest.</param>
/// <param name="begin">The manager's start of the write of the step (in its store, under its condition).</param>
/// <param name="commit">The manager's commit of the written step and its manifest entry.</param>
internal sealed class CheckpointSaveTarget(
    CheckpointSaveRequest request,
    MsgpackOptions options,
    string libraryVersion,
    Func<ICheckpointWriter> begin,
    Action<ICheckpointWriter, CheckpointInfo> commit) : SaveTarget
{
    private CheckpointInfo? _info;

    public override void ThrowIfCannotCommit()
    {
        // A step always replaces the file of the same step.
    }

    public override ICheckpointWriter Begin() => begin();

    public override void Write(ICheckpointWriter writer, StateNode root, Action<NdArray>? arrayWritten)
    {
        var hashing = new HashingStream(ProgressStream.Wrap(writer.Stream, options.Progress));
        new WireWriter(hashing, options, arrayWritten).Write(root);
        _info = new CheckpointInfo(
            request.File, request.Path, request.Step, request.Time, request.Metric, hashing.Written, FileChecksum.Format(hashing.Hash), libraryVersion, request.User);
    }

    public override void Commit(ICheckpointWriter writer) =>
        commit(writer, _info ?? throw new InvalidOperationException("A checkpoint is committed before it is written."));
}
