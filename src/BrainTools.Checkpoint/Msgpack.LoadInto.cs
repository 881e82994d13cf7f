using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Loads a checkpoint into the template's own memory, as PyTorch's <c>load_state_dict</c> does: each array of
    /// <paramref name="target"/> (an <see cref="NdArray"/>, a typed .NET array such as <c>float[,]</c>, a dense
    /// <c>Tensor&lt;T&gt;</c>, the value of a <see cref="State{T}"/>) that the file matches in shape receives the saved
    /// values in place, read from the file straight into that memory and converted to the array's element type as
    /// numpy's <c>astype</c> would. Restoring a model this way needs no memory beyond the model itself: the file is
    /// indexed (<see cref="Open(string, MsgpackOptions?)"/>), and only the arrays the template asks for are read.
    /// </summary>
    /// <remarks>
    /// Everything else restores as <see cref="Load{T}(string, T, Mismatch, MsgpackOptions?)"/> does, with the
    /// same checks and <see cref="Mismatch"/> policy: a shape mismatch leaves that array untouched. The arrays are
    /// filled only after the whole template has been checked, so a load that fails its checks (under
    /// <see cref="Mismatch.Error"/>) leaves every array of the model as it was. Where the
    /// template has no array to fill (a null value, a read-only view), the result holds a copy-on-write view of the file.
    /// Unlike <see cref="Load{T}(string, T, Mismatch, MsgpackOptions?)"/>, which returns new arrays as braintools
    /// does, other references to the template's arrays see the loaded values.
    /// </remarks>
    /// <example>
    /// <code>
    /// var model = new MyModel();           // its parameters already allocated
    /// Msgpack.LoadInto("model.msgpack", model);
    /// </code>
    /// </example>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="target">The template, whose arrays receive the values.</param>
    /// <param name="mismatch">What to do where the file does not fit the template.</param>
    /// <param name="options">Limits (depth, file size), and where warnings go (<see cref="MsgpackOptions.OnWarning"/>).</param>
    /// <returns>The restored structure: <paramref name="target"/> itself for modules and plain classes, else a structure shaped like it that holds its arrays.</returns>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the file does not fit the template.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T LoadInto<T>(string path, T target, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(target);
        ValidateMismatch(mismatch);
        options ??= MsgpackOptions.Default;
        Say(options, $"Loading checkpoint from {path}");

        return InPlaceLoad.Run(path, target, mismatch, options);
    }
}
