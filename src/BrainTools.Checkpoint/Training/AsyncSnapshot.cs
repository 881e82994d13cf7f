namespace BrainTools.Checkpoint;

/// <summary>
/// How an <see cref="AsyncManager"/> takes the snapshot that lets training go on while a save is written. The README's
/// async section has the measured costs of each.
/// </summary>
public enum AsyncSnapshot
{
    /// <summary>
    /// The checkpoint is written into its temporary file before the save returns (into the OS page cache, no extra
    /// memory); the background flushes it to disk and renames it into place. Blocks for a non-durable write.
    /// </summary>
    TempFile,

    /// <summary>
    /// The arrays are copied into memory before the save returns and written in the background; each copy is let go of
    /// as soon as it is written. Blocks for a memory copy (plus faulting in fresh memory), holds up to one extra copy
    /// of the arrays while the file is written.
    /// </summary>
    Memory,

    /// <summary>
    /// As <see cref="Memory"/>, but the copy's memory is kept for the next save, which then copies into memory that is
    /// already mapped: the shortest block, at the price of one extra copy of the arrays for as long as the manager lives.
    /// </summary>
    RetainedMemory,
}
