using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint;

/// <summary>
/// A checkpoint in a local file, read by positional reads (and mapped into memory where a lazy open or
/// <see cref="CheckpointLoadMode.MemoryMap"/> asks for it): the source <see cref="Msgpack.Load(string, MsgpackOptions?)"/>
/// and <see cref="Msgpack.Open(string, MsgpackOptions?)"/> use for a path.
/// </summary>
/// <remarks>
/// The file is opened with sharing for reads and deletes, so an atomic save that replaces it meanwhile leaves this
/// version readable. Do not truncate a file that is open: reads past its new end fail with an
/// <see cref="InvalidCheckpointException"/>, but a view of its mapping would fault.
/// </remarks>
public sealed class FileCheckpointSource : ICheckpointSource
{
    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public FileCheckpointSource(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        }

        Name = path;
        Handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        try
        {
            Length = RandomAccess.GetLength(Handle);
        }
        catch
        {
            Handle.Dispose();
            throw;
        }
    }

    /// <summary>The file's path, as given.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public long Length { get; }

    /// <summary>A page: a read of less costs as much (the system call is the cost).</summary>
    public int PreferredReadSize => 4096;

    /// <summary>One read per processor: each copies out of the page cache on its own core.</summary>
    public int MaxConcurrentReads => Environment.ProcessorCount;

    /// <summary>The open file, for mapping it and for the reads of other parts of the library.</summary>
    internal SafeFileHandle Handle { get; }

    /// <inheritdoc/>
    public int ReadAt(long offset, Span<byte> destination) => RandomAccess.Read(Handle, destination, offset);

    /// <summary>Closes the file. A mapping made of it stays valid until it is disposed itself.</summary>
    public void Dispose() => Handle.Dispose();
}
