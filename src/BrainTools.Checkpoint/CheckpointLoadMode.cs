namespace BrainTools.Checkpoint;

/// <summary>How a full load gets a file's bytes into memory (<see cref="MsgpackOptions.LoadMode"/>).</summary>
public enum CheckpointLoadMode
{
    /// <summary>
    /// Read the whole file into memory the loaded arrays then share (no per-array copy); files of at least
    /// <see cref="MsgpackOptions.ParallelReadThreshold"/> bytes are read by several threads at once. The file is
    /// closed when the load returns.
    /// </summary>
    Read,

    /// <summary>
    /// Map the file into memory (copy-on-write) and make the arrays views of its pages: the load returns before
    /// the payloads are read, and the OS reads each page on first touch. Writes to the arrays stay private to the
    /// process. The mapping lives until no loaded array refers to it; the file must not be truncated meanwhile
    /// (an atomic save replaces the file and leaves the mapped one intact). On Windows a mapped file cannot be
    /// deleted or replaced until then.
    /// </summary>
    MemoryMap,
}
