namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// Everything this package asks of the core library, in one place: the bytes of a tree, a tree from bytes or from
/// a staged file, and the restore into a template, all through the core's public facade. Errors of the format are
/// renamed to name the blob. When the core offers a storage source (positional reads) and a commit target, this
/// adapter is where <see cref="BlobRangeReader"/> and <see cref="BlobCommitStream"/> plug into it.
/// </summary>
internal static class CheckpointCodec
{
    /// <summary>Writes <paramref name="tree"/> to <paramref name="stream"/>; array payloads go to it straight from the arrays' memory.</summary>
    public static void Write(Stream stream, object? tree, MsgpackOptions? options) => Msgpack.Save(stream, tree, options);

    /// <summary>Refuses a blob over <see cref="MsgpackOptions.MaxFileSize"/>, or empty, before anything is downloaded.</summary>
    public static void CheckLength(long length, MsgpackOptions? options, Uri blob)
    {
        if ((options ?? MsgpackOptions.Default).MaxFileSize is long max && length > max)
        {
            throw new InvalidCheckpointException($"the blob has {length} bytes, more than the limit of {max} (MsgpackOptions.MaxFileSize)", blob.ToString(), ".");
        }

        if (length == 0)
        {
            throw new InvalidCheckpointException("the blob is empty", blob.ToString(), ".");
        }
    }

    /// <summary>The tree in <paramref name="bytes"/>, downloaded from <paramref name="blob"/>.</summary>
    /// <exception cref="InvalidCheckpointException">Not a valid checkpoint; the message names the blob and the tree path.</exception>
    public static StateNode Read(ReadOnlyMemory<byte> bytes, MsgpackOptions? options, Uri blob)
    {
        try
        {
            return Msgpack.Deserialize(bytes, options);
        }
        catch (InvalidCheckpointException e)
        {
            throw new InvalidCheckpointException(e.Reason, blob.ToString(), e.TreePath, e);
        }
    }

    /// <summary>
    /// The tree in the staged file <paramref name="path"/>, downloaded from <paramref name="blob"/>. On Linux the file is
    /// mapped, so the arrays are copy-on-write views of its pages, which outlive the file's name; elsewhere it is read.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">Not a valid checkpoint; the message names the blob and the tree path.</exception>
    public static StateNode ReadStagedFile(string path, MsgpackOptions? options, Uri blob)
    {
        MsgpackOptions load = (options ?? MsgpackOptions.Default) with
        {
            LoadMode = OperatingSystem.IsLinux() ? CheckpointLoadMode.MemoryMap : CheckpointLoadMode.Read,
        };
        try
        {
            return Msgpack.Load(path, options: load);
        }
        catch (InvalidCheckpointException e)
        {
            throw new InvalidCheckpointException(e.Reason, blob.ToString(), e.TreePath, e);
        }
    }

    /// <summary>Restores <paramref name="state"/> into <paramref name="target"/> under the mismatch policy.</summary>
    public static T Restore<T>(T target, StateNode state, Mismatch mismatch, MsgpackOptions? options) =>
        Msgpack.FromStateDict(target, state, mismatch, options);
}
