namespace BrainTools.Checkpoint.Format;

/// <summary>A read met the end of a file before the length it had when opened: the walker reports it with the tree path.</summary>
internal sealed class FileShrankException(long offset, long length) : Exception($"the file shrank while it was read ({offset} of {length} bytes)")
{
    /// <summary>Where the read found the end.</summary>
    public long Offset { get; } = offset;
}
