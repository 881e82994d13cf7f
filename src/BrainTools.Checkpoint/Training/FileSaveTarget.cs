using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>A plain checkpoint file: written through <see cref="AtomicFile"/>, replaced only when <paramref name="overwrite"/> allows.</summary>
/// <param name="fullPath">The full path of the checkpoint.</param>
/// <param name="overwrite">Whether an existing file may be replaced.</param>
/// <param name="options">Chunking and durability.</param>
internal sealed class FileSaveTarget(string fullPath, bool overwrite, MsgpackOptions options) : SaveTarget
{
    public override void ThrowIfCannotCommit() => AtomicFile.ThrowIfExists(fullPath, overwrite);

    public override PendingFile Begin() => AtomicFile.Begin(fullPath, overwrite);

    public override void Write(PendingFile file, StateNode root, Action<NdArray>? arrayWritten) =>
        new WireWriter(ProgressStream.Wrap(file.Stream, options.Progress), options, arrayWritten).Write(root);

    public override void Commit(PendingFile file) => AtomicFile.Commit(file, overwrite, options.Durable);
}
