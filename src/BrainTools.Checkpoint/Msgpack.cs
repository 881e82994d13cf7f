using BrainTools.Checkpoint.Format;
using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Serialization;
using BrainTools.Checkpoint.Training;

namespace BrainTools.Checkpoint;

/// <summary>
/// Saves and loads checkpoints in the msgpack format of Python's braintools (<c>msgpack_save</c> /
/// <c>msgpack_load</c>) and flax: a file written by either side loads on the other, and the bytes are the same.
/// </summary>
/// <remarks>
/// <para>What can be saved: <see cref="StateNode"/> trees, string-keyed (or any-keyed: keys are saved as strings)
/// dictionaries, lists, arrays of objects and tuples (saved as maps keyed <c>"0"</c>, <c>"1"</c>, ...),
/// <see cref="NdArray"/>, numeric .NET arrays of any rank (<c>float[]</c>, <c>double[,]</c>, ...) and
/// <c>Tensor&lt;T&gt;</c> (saved as ndarrays), the scalars of <see cref="StateNodeKind"/>, records and classes
/// (maps of their snake_case members), <see cref="State"/>s and <see cref="Module"/>s, and registered types.
/// Restoring into a template: <see cref="Load{T}(string, T, Mismatch, MsgpackOptions?)"/>.</para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public static partial class Msgpack
{
    /// <summary>
    /// Saves <paramref name="tree"/> to <paramref name="path"/>: streamed into a unique temporary file beside it,
    /// then renamed over it, so the file is always the old or the new checkpoint, never a mix. Missing
    /// directories are created; a failed save leaves no temporary file.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="tree">What to save.</param>
    /// <param name="overwrite">Whether an existing file may be replaced (default true, as in braintools).</param>
    /// <param name="options">Chunk size, durability, <see cref="MsgpackOptions.Verbose"/> and other settings; <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <param name="asyncManager">
    /// When given, the tree is snapshotted before this returns (by default written to the temporary file; see
    /// <see cref="AsyncManager.Snapshot"/>), so later changes to the model do not reach the file, and the rest of the
    /// save (fsync, rename) runs in the background; its errors surface at the manager's next wait, save or dispose.
    /// </param>
    /// <returns><paramref name="path"/>.</returns>
    /// <exception cref="CheckpointException">The file exists and <paramref name="overwrite"/> is false, or a value cannot be saved.</exception>
    /// <exception cref="IOException">The file system failed; the old checkpoint is intact.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="asyncManager"/> is disposed.</exception>
    public static string Save(string path, object? tree, bool overwrite = true, MsgpackOptions? options = null, AsyncManager? asyncManager = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= MsgpackOptions.Default;
        Say(options, $"Saving checkpoint into {path}");

        StateNode root = ToStateDict(tree);
        string fullPath = Path.GetFullPath(path);
        var target = new StoreSaveTarget(FileCheckpointStore.ForFile(fullPath, options.Durable), Path.GetFileName(fullPath), overwrite, options);
        if (asyncManager is not null)
        {
            _ = asyncManager.Run(() => SaveJob.Prepare(asyncManager, target, root), options, path);
            return path;
        }

        SaveJob.Run(target, root);
        return path;
    }

    /// <summary>Writes <paramref name="tree"/> to <paramref name="stream"/> (which stays open).</summary>
    /// <exception cref="CheckpointException">A value cannot be saved.</exception>
    public static void Save(Stream stream, object? tree, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= MsgpackOptions.Default;
        new WireWriter(ProgressStream.Wrap(stream, options.Progress), options).Write(ToStateDict(tree));
    }

    /// <summary>The bytes of <paramref name="tree"/> in the checkpoint format (braintools' <c>to_bytes</c>).</summary>
    /// <exception cref="CheckpointException">A value cannot be saved.</exception>
    public static byte[] Serialize(object? tree, MsgpackOptions? options = null)
    {
        using var stream = new MemoryStream();
        Save(stream, tree, options);
        return stream.ToArray();
    }

    /// <summary>
    /// Loads the raw state dict a checkpoint holds, as braintools' <c>msgpack_load(path)</c> without a target does:
    /// maps (lists come back as maps keyed <c>"0"</c>, <c>"1"</c>, ...), arrays, numpy scalars and Python scalars.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="options">Limits (depth, file size), <see cref="MsgpackOptions.Verbose"/>; <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <returns>The root of the tree. Its arrays share the memory the file was read into.</returns>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint; the message names the file and where.</exception>
    public static StateNode Load(string path, MsgpackOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= MsgpackOptions.Default;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        Say(options, $"Loading checkpoint from {path}");
        return CheckpointFile.Read(path, options);
    }

    /// <summary>
    /// Loads the raw state dict from the rest of <paramref name="stream"/> (which stays open), as a file is loaded:
    /// read once into memory the arrays share, of any size, under the same limits.
    /// </summary>
    /// <param name="stream">The data, read from its current position to its end.</param>
    /// <param name="options">Limits (depth, size, values); <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <remarks>A stream that can seek is checked against <see cref="MsgpackOptions.MaxFileSize"/> before it is read
    /// and, when it is large, refused after its first 64 KiB if those show it is not a checkpoint; one that cannot
    /// seek is read at most one byte past the limit.</remarks>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint, or is over a limit.</exception>
    public static StateNode Load(Stream stream, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= MsgpackOptions.Default;
        ArrayStorage storage = BoundedStreamReader.Read(stream, options, out long length);
        try
        {
            return WireReader.ReadTree(StorageSequence.Create(storage, length), storage, options);
        }
        catch (InvalidCheckpointException)
        {
            // Give big buffers back now rather than at the next GC.
            (storage as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Reads the raw state dict from bytes (braintools' <c>msgpack_restore</c>); arrays are copied out of <paramref name="data"/>.</summary>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint, or is over a limit.</exception>
    public static StateNode Deserialize(ReadOnlyMemory<byte> data, MsgpackOptions? options = null)
    {
        options ??= MsgpackOptions.Default;
        if (options.MaxFileSize is long max && data.Length > max)
        {
            throw new InvalidCheckpointException(WireErrors.TooLarge(data.Length, max), null, ".", 0);
        }

        return WireReader.ReadTree(new System.Buffers.ReadOnlySequence<byte>(data), null, options);
    }

    /// <summary>
    /// The state dict of <paramref name="value"/> (braintools' <c>msgpack_to_state_dict</c>): what <see cref="Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/>
    /// writes. Arrays are shared with <paramref name="value"/>, not copied.
    /// </summary>
    /// <exception cref="CheckpointException">A value has no state-dict form; the message names its path.</exception>
    public static StateNode ToStateDict(object? value) => StateDictConverters.ToStateDict(value);

    // braintools' verbose=True lines.
    private static void Say(MsgpackOptions options, string line)
    {
        if (options.Verbose)
        {
            (options.Log ?? Console.Out).WriteLine(line);
        }
    }
}
