using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// A step of a <see cref="CheckpointManager"/>: the file is hashed while it is written (no second read), and its commit
/// is the manager's (file, then manifest, then retention).
/// </summary>
/// <param name="request">The save as the caller made it.</param>
/// <param name="options">Chunking and durability.</param>
/// <param name="libraryVersion">Recorded in the manifest.</param>
/// <param name="commit">The manager's commit of the written file and its manifest entry.</param>
internal sealed class CheckpointSaveTarget(
    CheckpointSaveRequest request,
    MsgpackOptions options,
    string libraryVersion,
    Action<PendingFile, CheckpointInfo> commit) : SaveTarget
{
    private CheckpointInfo? _info;

    public override void ThrowIfCannotCommit()
    {
        // A step always replaces the file of the same step.
    }

    public override PendingFile Begin() => AtomicFile.Begin(request.Path, overwrite: true);

    public override void Write(PendingFile file, StateNode root, Action<NdArray>? arrayWritten)
    {
        var hashing = new HashingStream(ProgressStream.Wrap(file.Stream, options.Progress));
        new WireWriter(hashing, options, arrayWritten).Write(root);
        _info = new CheckpointInfo(
            request.File, request.Path, request.Step, request.Time, request.Metric, hashing.Written, FileChecksum.Format(hashing.Hash), libraryVersion, request.User);
    }

    public override void Commit(PendingFile file) =>
        commit(file, _info ?? throw new InvalidOperationException("A checkpoint is committed before it is written."));
}
