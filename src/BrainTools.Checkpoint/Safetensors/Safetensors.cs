namespace BrainTools.Checkpoint;

/// <summary>
/// Saves and loads trees as Hugging Face safetensors files, beside <see cref="Msgpack"/>: the same
/// <see cref="StateNode"/> trees, the same <see cref="InvalidCheckpointException"/> (naming the file and the tree path)
/// for damaged files, the same atomic save.
/// </summary>
/// <remarks>
/// <para>Names: a value's name is the keys of its tree path joined by <c>.</c> (<c>./layers/0/weight</c> is
/// <c>layers.0.weight</c>); a load splits names at <c>.</c> back into nested maps. Arrays are tensors; the other
/// leaves (numbers, strings, bools, <c>None</c>, empty maps) go to <c>__metadata__</c> as JSON literals, so they load
/// back as what they were.</para>
/// <para>Dtypes: every library dtype except complex128 (safetensors has none); complex64 is <c>C64</c>, which
/// safetensors reads since 0.7. Values safetensors cannot hold are refused
/// (<see cref="LossyConversionException"/>) unless <see cref="TensorFileOptions.AllowLossy"/>.</para>
/// <para>Hostile files: the header length is checked against the file and <see cref="TensorFileOptions.MaxHeaderLength"/>
/// before anything is allocated, and tensors must cover the data exactly, so a load never allocates much more than
/// the file's size. All members are thread-safe.</para>
/// </remarks>
public static class Safetensors
{
    /// <summary>The separator of the keys in a name: <c>layers.0.weight</c>.</summary>
    public const char Separator = '.';

    /// <summary>
    /// Saves <paramref name="tree"/> to <paramref name="path"/> through a temporary file beside it and a rename, as
    /// <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/> does: the file is always
    /// the old or the new one.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="tree">The tree; a model or other object can be turned into one with <see cref="Msgpack.ToStateDict"/>.</param>
    /// <param name="overwrite">Whether an existing file may be replaced (default true).</param>
    /// <param name="options">Lossy writes, durability, progress; <see cref="TensorFileOptions.Default"/> when null.</param>
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
        return SafetensorsWriter.Save(FileCheckpointStore.ForFile(fullPath, options.Durable), Path.GetFileName(fullPath), tree, overwrite, options);
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
        return SafetensorsWriter.Save(store, name, tree, overwrite, options ?? TensorFileOptions.Default);
    }

    /// <summary>Loads the whole file as a tree (see <see cref="SafetensorsReader.ReadTree()"/>); every array owns its memory.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Limits and progress; <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid safetensors file; the message names the file, the reason and the tree path.</exception>
    public static StateNode Load(string path, TensorFileOptions? options = null)
    {
        using SafetensorsReader reader = Open(path, options);
        return reader.ReadTree();
    }

    /// <summary>Opens a file lazily: reads and checks only its header, then tensors on demand (<see cref="SafetensorsReader"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Limits and progress; <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The header is not valid for the file.</exception>
    public static SafetensorsReader Open(string path, TensorFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return SafetensorsReader.Open(path, options ?? TensorFileOptions.Default);
    }

    /// <summary>
    /// Opens a safetensors file kept anywhere a source reaches (a blob): one read of the header, then one read (or
    /// parallel blocks) per tensor on demand, as <see cref="Open(string, TensorFileOptions?)"/> does for a path.
    /// </summary>
    /// <param name="source">The file's bytes. The reader owns it: disposing the reader disposes the source (a failed open too).</param>
    /// <param name="options">Limits and progress; <see cref="TensorFileOptions.Default"/> when null.</param>
    /// <exception cref="InvalidCheckpointException">The header is not valid for the file; the message names the source.</exception>
    public static SafetensorsReader Open(ICheckpointSource source, TensorFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return SafetensorsReader.Open(source, ownsSource: true, options ?? TensorFileOptions.Default);
    }
}
