using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// Saves and restores TorchSharp modules in the msgpack checkpoint format of braintools and flax, which Python
/// reads with <c>braintools.file.msgpack_load</c> or <c>flax.serialization.msgpack_restore</c>.
/// </summary>
/// <remarks>
/// A module is saved as its <c>state_dict()</c> (parameters and persistent buffers) nested by the dotted names:
/// <c>fc1.weight</c> is <c>{'fc1': {'weight': ...}}</c>, as brainstate and flax nest them. Tensors are written
/// straight from their CPU memory and loaded straight into it (see <see cref="TensorArrays"/> for the cases that
/// copy). For trees that hold modules, optimizers and tensors beside other values (a training state), use
/// <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/> and
/// <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/> after <see cref="TorchSerialization.Register"/>, which every method here calls.
/// </remarks>
public static class TorchCheckpoint
{
    /// <summary>Saves the module's state_dict (atomically: an existing file is replaced only by a complete one).</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="module">The module.</param>
    /// <param name="options">Chunk size and limits.</param>
    /// <returns>The path written.</returns>
    /// <exception cref="CheckpointException">A tensor's type has no numpy dtype (the quantized types).</exception>
    public static string Save(string path, nn.Module module, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        TorchSerialization.Register();
        return Msgpack.Save(path, module, options: options);
    }

    /// <summary>
    /// Loads a checkpoint into the module's own tensors, as <c>load_state_dict</c> does: each parameter and buffer
    /// whose shape matches receives the saved values, read from the file straight into its memory and converted to
    /// its dtype. With <see cref="Mismatch.Error"/> (the default) a missing name or a different shape throws before
    /// any tensor changes; with <see cref="Mismatch.Warn"/> or <see cref="Mismatch.Ignore"/> those tensors keep their
    /// values and the report lists them.
    /// </summary>
    /// <param name="path">The checkpoint file, written by <see cref="Save"/> or by Python (braintools, flax) with the same nesting.</param>
    /// <param name="module">The module whose tensors receive the values.</param>
    /// <param name="mismatch">What to do where the file does not fit the module.</param>
    /// <param name="options">Limits, and where the warnings of <see cref="Mismatch.Warn"/> go.</param>
    /// <returns>Every difference between the file and the module: missing and unexpected names, shapes, dtypes.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the file does not fit the module (the message names the tree path).</exception>
    public static TorchLoadReport LoadInto(string path, nn.Module module, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(module);
        TorchSerialization.Register();
        TorchLoadReport report;
        using (CheckpointReader reader = Msgpack.Open(path, options))
        {
            report = TorchLoadReport.FromIndex(reader, module.state_dict());
        }

        Msgpack.LoadInto(path, module, mismatch, options: options);
        return report;
    }
}
