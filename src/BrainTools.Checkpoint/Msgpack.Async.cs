using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Saves <paramref name="tree"/> to <paramref name="path"/> from async code, without blocking a thread on the write.
    /// </summary>
    /// <remarks>
    /// With <paramref name="asyncManager"/>, the returned task completes once the tree has been copied (after the
    /// previous save of the manager, awaited without blocking): from then on the model may change, and the file is
    /// written in the background (await <see cref="AsyncManager.WaitPreviousSaveAsync"/> for it). Without one, the
    /// task completes when the file is written, from the tree's own arrays: do not change them until then.
    /// </remarks>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="tree">What to save.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="options">Settings; <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <param name="asyncManager">The manager that writes in the background, or null.</param>
    /// <param name="cancellationToken">Cancels the wait for the previous save (a write that has started is not cancelled).</param>
    /// <returns><paramref name="path"/>.</returns>
    /// <exception cref="CheckpointException">The file exists and <paramref name="overwrite"/> is false, or a value cannot be saved.</exception>
    /// <exception cref="IOException">The file system failed; the old checkpoint is intact.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="asyncManager"/> is disposed.</exception>
    public static async Task<string> SaveAsync(
        string path,
        object? tree,
        bool overwrite = true,
        MsgpackOptions? options = null,
        AsyncManager? asyncManager = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= MsgpackOptions.Default;
        Say(options, $"Saving checkpoint into {path}");

        StateNode root = ToStateDict(tree);
        string fullPath = Path.GetFullPath(path);
        var target = new StoreSaveTarget(FileCheckpointStore.ForFile(fullPath, options.Durable), Path.GetFileName(fullPath), overwrite, options);
        if (asyncManager is null)
        {
            await Task.Run(() => SaveJob.Run(target, root), cancellationToken).ConfigureAwait(false);
            return path;
        }

        await asyncManager.RunAsync(() => SaveJob.Prepare(asyncManager, target, root), options, path, cancellationToken)
            .ConfigureAwait(false);
        return path;
    }
}
