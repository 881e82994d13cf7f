namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Opens a checkpoint lazily: maps the file and indexes its keys, dtypes, shapes and array offsets without
    /// reading the array payloads, then reads single arrays, row slices, sub-trees or just what a template asks
    /// for on demand (<see cref="CheckpointReader"/>). Dispose the reader to unmap the file.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="options">Limits (depth, file size); <see cref="MsgpackOptions.Default"/> when null.</param>
    /// <returns>The opened checkpoint.</returns>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint; the message names the file and where.</exception>
    public static CheckpointReader Open(string path, MsgpackOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return CheckpointReader.Open(path, options ?? MsgpackOptions.Default);
    }
}
