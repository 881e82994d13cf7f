using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// What did not fit when a checkpoint was loaded into a module: the differences of keys, shapes and dtypes (the
/// kinds <see cref="Msgpack.Reconcile"/> reports), and PyTorch's <c>load_state_dict</c> lists of missing and
/// unexpected keys under their dotted names.
/// </summary>
/// <param name="Differences">Every difference: the module's tensors in state_dict order, then the checkpoint's arrays the module lacks (paths such as <c>./fc1/weight</c>).</param>
/// <param name="MissingKeys">Tensor names the module has and the checkpoint lacks (<c>fc2.weight</c>, <c>fc2.bias</c>); they kept their values.</param>
/// <param name="UnexpectedKeys">Names of arrays the checkpoint has and the module lacks; they were not read.</param>
public sealed record TorchLoadReport(IReadOnlyList<CheckpointDifference> Differences, IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>Whether every tensor of the module was loaded and nothing was left over (dtype differences, which are converted, aside).</summary>
    public bool IsExact => Differences.All(difference => difference.Kind == CheckpointDifferenceKind.DType);

    /// <summary>The tree path <c>./fc1/weight</c> as the state_dict name <c>fc1.weight</c>.</summary>
    public static string ToDottedName(string treePath)
    {
        ArgumentNullException.ThrowIfNull(treePath);
        return treePath == "." ? "" : (treePath.StartsWith("./", StringComparison.Ordinal) ? treePath[2..] : treePath).Replace('/', '.');
    }

    /// <summary>
    /// Compares the module's state_dict with the checkpoint's index. Only the index is used: no array is read,
    /// where a raw tree of the file for <see cref="Msgpack.Reconcile"/> would hand out a view of every array (with
    /// read-ahead) and join each chunked array (over 1 GiB) into a copy.
    /// </summary>
    internal static TorchLoadReport FromIndex(CheckpointReader reader, Dictionary<string, Tensor> stateDict)
    {
        var differences = new List<CheckpointDifference>();
        var missing = new List<string>();
        foreach ((string name, Tensor tensor) in stateDict)
        {
            string path = "./" + name.Replace('.', '/');
            DType dtype = TorchDTypes.ToDType(tensor.dtype);
            var shape = new Shape(tensor.shape);
            string expected = $"an ndarray ({dtype}, shape {shape})";
            CheckpointEntry? entry = Find(reader.Root, name);
            if (entry is null)
            {
                missing.Add(name);
                differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Missing, expected, "nothing"));
            }
            else if (entry.Kind != StateNodeKind.NdArray)
            {
                differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Type, expected, entry.Kind.ToString()));
            }
            else if (entry.Shape != shape)
            {
                differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Shape, shape.ToString(), entry.Shape.ToString()));
            }
            else if (entry.DType != dtype)
            {
                differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.DType, dtype.Name, entry.DType!.Name));
            }
        }

        var unexpected = new List<string>();
        foreach (CheckpointEntry entry in reader.Root.Descendants().Where(entry => entry.Kind == StateNodeKind.NdArray))
        {
            string name = ToDottedName(entry.Path);
            if (!stateDict.ContainsKey(name))
            {
                unexpected.Add(name);
                differences.Add(new CheckpointDifference(entry.Path, CheckpointDifferenceKind.Unexpected, "nothing", $"an ndarray ({entry.DType}, shape {entry.Shape})"));
            }
        }

        return new TorchLoadReport(differences, missing, unexpected);
    }

    private static CheckpointEntry? Find(CheckpointEntry root, string dottedName)
    {
        CheckpointEntry? entry = root;
        foreach (string key in dottedName.Split('.'))
        {
            if (!entry.TryGetChild(key, out entry))
            {
                return null;
            }
        }

        return entry;
    }
}
