using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Lazy;
using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Loads the raw state dict of a checkpoint kept anywhere a <see cref="ICheckpointSource"/> reaches (a local
    /// file, a blob), as <see cref="Load(string, MsgpackOptions?)"/> does for a path: the whole checkpoint is read
    /// straight into one block of new memory (native when large), in blocks of at least
    /// <see cref="ICheckpointSource.PreferredReadSize"/>, <see cref="ICheckpointSource.MaxConcurrentReads"/> at once,
    /// and the arrays share that memory. Nothing is staged on disk.
    /// </summary>
    /// <param name="source">The checkpoint's bytes. It stays open: the caller disposes it.</param>
    /// <param name="options">Limits (depth, size), <see cref="MsgpackOptions.Verbose"/>, <see cref="MsgpackOptions.Progress"/>; <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <returns>The root of the tree.</returns>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint; the message names the source (<see cref="ICheckpointSource.Name"/>) and where.</exception>
    /// <exception cref="IOException">A read failed (a backend may throw its own typed errors instead).</exception>
    public static StateNode Load(ICheckpointSource source, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= MsgpackOptions.Default;
        Say(options, $"Loading checkpoint from {source.Name}");
        return CheckpointFile.Read(source, options);
    }

    /// <summary>Loads a checkpoint from <paramref name="source"/> into a template, as <see cref="Load{T}(string, T, Mismatch, MsgpackOptions?)"/> does for a path.</summary>
    /// <param name="source">The checkpoint's bytes. It stays open: the caller disposes it.</param>
    /// <param name="target">The template: fixes the structure, the types and the array shapes expected.</param>
    /// <param name="mismatch">What to do where the checkpoint does not fit the template.</param>
    /// <param name="options">Limits, <see cref="MsgpackOptions.Verbose"/>, and <see cref="MsgpackOptions.OnWarning"/> for the warnings of <see cref="Mismatch.Warn"/>.</param>
    /// <returns>The restored structure.</returns>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the checkpoint does not fit the template.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T Load<T>(ICheckpointSource source, T target, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ValidateMismatch(mismatch);
        StateNode state = Load(source, options);
        return (T)Restore(target, state, typeof(T), mismatch, options, source.Name)!;
    }

    /// <summary>
    /// Opens a checkpoint lazily from <paramref name="source"/>, as <see cref="Open(string, MsgpackOptions?)"/> does for
    /// a path: the index (keys, dtypes, shapes, offsets) is read in windows of at least
    /// <see cref="ICheckpointSource.PreferredReadSize"/>, skipping payloads, so a checkpoint of a few large arrays
    /// costs about one read per array header and one of many small arrays a few reads in all; then each array read
    /// is one read of its bytes (or several at once, when it is large). A <see cref="FileCheckpointSource"/> is also
    /// mapped, as a path is; other sources give arrays that own their memory.
    /// </summary>
    /// <param name="source">The checkpoint's bytes. The reader owns it: disposing the reader disposes the source (a failed open too).</param>
    /// <param name="options">Limits (depth, size); <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <returns>The opened checkpoint.</returns>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint; the message names the source and where.</exception>
    public static CheckpointReader Open(ICheckpointSource source, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return CheckpointReader.Open(source, ownsSource: true, options ?? MsgpackOptions.Default);
    }

    /// <summary>
    /// Loads a checkpoint from <paramref name="source"/> into the template's own memory, as
    /// <see cref="LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/> does for a path: the index is read, the whole
    /// template is checked, then only the arrays it asks for are read, from the source straight into its arrays.
    /// </summary>
    /// <param name="source">The checkpoint's bytes. It stays open: the caller disposes it.</param>
    /// <param name="target">The template, whose arrays receive the values.</param>
    /// <param name="mismatch">What to do where the checkpoint does not fit the template.</param>
    /// <param name="options">Limits, and where warnings go (<see cref="MsgpackOptions.OnWarning"/>).</param>
    /// <returns>The restored structure: <paramref name="target"/> itself for modules and plain classes, else a structure shaped like it that holds its arrays.</returns>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the checkpoint does not fit the template; no array was changed.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T LoadInto<T>(ICheckpointSource source, T target, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ValidateMismatch(mismatch);
        options ??= MsgpackOptions.Default;
        Say(options, $"Loading checkpoint from {source.Name}");
        return InPlaceLoad.Run(source, target, mismatch, options);
    }

    /// <summary>
    /// Saves <paramref name="tree"/> as the object <paramref name="name"/> of <paramref name="store"/> (a directory, a
    /// blob container prefix), as <see cref="Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/> does for a
    /// path: streamed into the store's write (a temporary file, staged blocks) and committed at the end, so the object
    /// is the old or the new checkpoint, never a mix; a failed save commits nothing.
    /// </summary>
    /// <param name="store">Where the checkpoint is kept.</param>
    /// <param name="name">Its name in the store (<c>model.msgpack</c>).</param>
    /// <param name="tree">What to save.</param>
    /// <param name="overwrite">Whether an existing checkpoint may be replaced; when false, the commit is conditional (<see cref="StoreCondition.IfAbsent"/>), so a concurrent writer's checkpoint is never replaced either.</param>
    /// <param name="options">Chunk size, <see cref="MsgpackOptions.Verbose"/>, <see cref="MsgpackOptions.Progress"/>; <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <param name="asyncManager">When given, the tree is snapshotted before this returns and the rest of the save runs in the background (see <see cref="AsyncManager"/>).</param>
    /// <returns>The checkpoint's path or URL (<see cref="ICheckpointStore.Locate"/>).</returns>
    /// <exception cref="CheckpointConflictException">The checkpoint exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="CheckpointException">A value cannot be saved.</exception>
    /// <exception cref="IOException">The store failed (a backend may throw its own typed errors); the old checkpoint is intact.</exception>
    public static string Save(ICheckpointStore store, string name, object? tree, bool overwrite = true, MsgpackOptions? options = null, AsyncManager? asyncManager = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= MsgpackOptions.Default;
        string location = store.Locate(name);
        Say(options, $"Saving checkpoint into {location}");

        StateNode root = ToStateDict(tree);
        var target = new StoreSaveTarget(store, name, overwrite, options);
        if (asyncManager is not null)
        {
            _ = asyncManager.Run(() => SaveJob.Prepare(asyncManager, target, root), options, location);
            return location;
        }

        SaveJob.Run(target, root);
        return location;
    }
}
