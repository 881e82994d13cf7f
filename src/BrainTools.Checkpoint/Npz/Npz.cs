namespace BrainTools.Checkpoint;

/// <summary>
/// Saves and loads trees as numpy <c>.npz</c> archives (what <c>numpy.savez</c> writes and <c>numpy.load</c> reads),
/// beside <see cref="Msgpack"/>: the same <see cref="StateNode"/> trees, the same
/// <see cref="InvalidCheckpointException"/> (naming the file and the tree path) for damaged files, the same atomic save.
/// </summary>
/// <remarks>
/// <para>Names: a member's name is the keys of its tree path joined by <c>/</c> (<c>./layers/0/weight</c> is the
/// member <c>layers/0/weight.npy</c>); a load splits names at <c>/</c> back into nested maps.</para>
/// <para>Dtypes: numpy's own (bool, int8..uint64, float16/32/64, complex64/128) are stored as they are; bfloat16
/// and float8 arrays as float32 (exactly, noted in the report); Python scalars as 0-d arrays and strings as 0-d
/// unicode arrays. <c>None</c>, empty maps and unknown ext values cannot be stored without pickle: refused
/// (<see cref="LossyConversionException"/>) unless <see cref="TensorFileOptions.AllowLossy"/>. Loads read stored and
/// deflated members (<c>savez_compressed</c>), either byte order and either memory order, and never unpickle: object
/// and string arrays are refused the same way.</para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public static class Npz
{
    /// <summary>The separator of the keys in a member name: <c>layers/0/weight</c>.</summary>
    public const char Separator = '/';

    /// <summary>Saves <paramref name="tree"/> to <paramref name="path"/> through a temporary file beside it and a rename.</summary>
    /// <param name="path">The file.</param>
    /// <param name="tree">The tree; a model or other object can be turned into one with <see cref="Msgpack.ToStateDict"/>.</param>
    /// <param name="overwrite">Whether an existing file may be replaced (default true).</param>
    /// <param name="options">Lossy writes, durability, progress (bytes of the members written); <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <returns>The values stored in another form, and with <see cref="TensorFileOptions.AllowLossy"/> the values left out.</returns>
    /// <exception cref="LossyConversionException">Some values cannot be held and lossy writes are not allowed; nothing was written.</exception>
    /// <exception cref="CheckpointException">The file exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="IOException">The file system failed; the old file is intact.</exception>
    public static ConversionReport Save(string path, StateNode tree, bool overwrite = true, TensorFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tree);
        options ??= TensorFileOptions.Default;
        string fullPath = Path.GetFullPath(path);
        return NpzWriter.Save(FileCheckpointStore.ForFile(fullPath, options.Durable), Path.GetFileName(fullPath), tree, overwrite, options);
    }

    /// <summary>
    /// Saves <paramref name="tree"/> as the object <paramref name="name"/> of <paramref name="store"/> (a directory, a blob
    /// container prefix): written into the store's write and committed at the end, so it is the old or the new file,
    /// never a mix (the commit rules of <see cref="ICheckpointStore"/>).
    /// </summary>
    /// <param name="store">Where the file is kept.</param>
    /// <param name="name">Its name in the store.</param>
    /// <param name="tree">The tree.</param>
    /// <param name="overwrite">Whether an existing object may be replaced; when false, the commit is conditional (<see cref="StoreCondition.IfAbsent"/>).</param>
    /// <param name="options">Lossy writes, progress; <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <returns>The values stored in another form, and with <see cref="TensorFileOptions.AllowLossy"/> the values left out.</returns>
    /// <exception cref="LossyConversionException">Some values cannot be held and lossy writes are not allowed; nothing was written.</exception>
    /// <exception cref="CheckpointConflictException">The object exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="IOException">The store failed (a backend may throw its own typed errors); the old object is intact.</exception>
    public static ConversionReport Save(ICheckpointStore store, string name, StateNode tree, bool overwrite = true, TensorFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(tree);
        return NpzWriter.Save(store, name, tree, overwrite, options ?? TensorFileOptions.Default);
    }

    /// <summary>Loads an archive as a tree (see <see cref="NpzArchive.ReadTree(ConversionReport?)"/>); every array owns its memory.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Lossy reads, limits, progress (compressed bytes of the members read); <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <param name="report">When given, receives the members that were left out (with <see cref="TensorFileOptions.AllowLossy"/>).</param>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid npz archive; the message names the file, the member and the tree path.</exception>
    /// <exception cref="LossyConversionException">Members a tree cannot hold (object or string arrays), and lossy reads are not allowed.</exception>
    public static StateNode Load(string path, TensorFileOptions? options = null, ConversionReport? report = null)
    {
        using NpzArchive archive = Open(path, options);
        return archive.ReadTree(report);
    }

    /// <summary>
    /// Opens an archive lazily: reads only its zip directory, then members on demand (<see cref="NpzArchive"/>);
    /// <see cref="NpzArchive.ReadTree(bool, ConversionReport?)"/> with <c>readOnFirstUse</c> reads each member's header
    /// and then only the arrays used, each once.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Lossy reads, limits, progress (compressed bytes of the members read); <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a zip archive, or its directory is damaged.</exception>
    public static NpzArchive Open(string path, TensorFileOptions? options = null) => NpzArchive.Open(path, options);

    /// <summary>
    /// Opens an archive kept anywhere a source reaches (a blob), as <see cref="Open(string, TensorFileOptions?)"/> does
    /// for a path: reads of the zip directory, then of each member asked for (small reads in windows of the source's
    /// preferred read size, at most 64 KiB; a member's bytes in one read).
    /// </summary>
    /// <param name="source">The archive's bytes. The archive owns it: disposing the archive disposes the source (a failed open too).</param>
    /// <param name="options">Lossy reads, limits, progress (compressed bytes of the members read); <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <exception cref="InvalidCheckpointException">The source does not hold a zip archive, or its directory is damaged; the message names the source.</exception>
    public static NpzArchive Open(ICheckpointSource source, TensorFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return NpzArchive.Open(source, ownsSource: true, options ?? TensorFileOptions.Default);
    }
}
