using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// TorchSharp modules in safetensors files, through the library's <see cref="Safetensors"/> API: the names are the
/// module's <c>state_dict()</c> names (<c>fc1.weight</c>), as Python's <c>safetensors.torch.save_file</c> writes them,
/// so a file goes between PyTorch, TorchSharp and this library both ways.
/// </summary>
/// <remarks>
/// Saving writes each tensor straight from its CPU memory (the copies of <see cref="TensorArrays"/> apply).
/// Loading reads the file into new memory, checks it against the module (shapes, names, the mismatch policy), then
/// copies each tensor's values into the module's own tensor, converted to its dtype; with <see cref="Mismatch.Error"/>
/// a missing name or another shape throws before any tensor changes.
/// </remarks>
public static class TorchSafetensors
{
    /// <summary>Saves the module's state_dict as a safetensors file (atomically), as <c>save_file(model.state_dict(), path)</c> does.</summary>
    /// <param name="path">The file.</param>
    /// <param name="module">The module.</param>
    /// <param name="options">Durability and progress.</param>
    /// <returns>What the file holds in another form (nothing, for tensors of the dtype table).</returns>
    /// <exception cref="CheckpointException">A tensor's type has no safetensors dtype.</exception>
    public static ConversionReport Save(string path, nn.Module module, TensorFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        TorchSerialization.Register();
        return Safetensors.Save(path, Msgpack.ToStateDict(module), options: options);
    }

    /// <summary>Loads a safetensors file into the module's own tensors, as <c>load_state_dict</c> does.</summary>
    /// <param name="path">The file, written by <see cref="Save"/> or by Python's safetensors.</param>
    /// <param name="module">The module whose tensors receive the values.</param>
    /// <param name="mismatch">What to do where the file does not fit the module.</param>
    /// <param name="options">Limits and progress.</param>
    /// <returns>Every difference between the file and the module (missing and unexpected names, shapes, dtypes), found before anything changed.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid safetensors file.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the file does not fit the module.</exception>
    public static IReadOnlyList<CheckpointDifference> LoadInto(string path, nn.Module module, Mismatch mismatch = Mismatch.Error, TensorFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        TorchSerialization.Register();
        StateNode tree = WithoutMetadata(Safetensors.Load(path, options));
        IReadOnlyList<CheckpointDifference> differences = Msgpack.Reconcile(module, tree);

        // Two phases, so that a mismatch under Error changes nothing: restore into read-only views of the tensors
        // (the loaded arrays come back, the tensors are untouched), then copy what was restored into the tensors.
        var tensors = new List<KeyValuePair<string, Tensor>>(module.state_dict());
        Dictionary<string, object?> views = StateDictTree.Nest(tensors.Select(t => KeyValuePair.Create(t.Key, (object?)ReadOnlyView(t.Value))));
        Dictionary<string, object?> restored = Msgpack.FromStateDict(views, tree, mismatch);
        var byName = StateDictTree.Flatten(restored).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var templates = StateDictTree.Flatten(views).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        foreach ((string name, Tensor tensor) in tensors)
        {
            if (byName.TryGetValue(name, out object? value) && value is NdArray loaded && !ReferenceEquals(loaded, templates[name]))
            {
                TensorArrays.CopyInto(loaded, tensor);
            }
        }

        return differences;
    }

    // A view that the restore only reads (shape and dtype), never writes; a tensor that cannot be viewed gets a stand-in.
    private static NdArray ReadOnlyView(Tensor tensor) =>
        TensorArrays.IsViewable(tensor) ? TensorArrays.View(tensor, writable: false) : TensorArrays.View(empty(tensor.shape, tensor.dtype), writable: false);

    // The file's __metadata__ (PyTorch writes {"format": "pt"}) loads as top-level leaves that are not tensors: not part of the module.
    private static StateNode WithoutMetadata(StateNode tree)
    {
        if (tree is not StateMap map)
        {
            return tree;
        }

        var tensors = new StateMap(map.Count);
        foreach (KeyValuePair<string, StateNode> item in map)
        {
            if (item.Value is StateMap || item.Value is StateValue { Value: NdArray })
            {
                tensors.Add(item.Key, item.Value);
            }
        }

        return tensors;
    }
}
