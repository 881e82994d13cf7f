namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// What did not fit when a checkpoint was loaded into a module: every difference <see cref="Msgpack.Reconcile"/>
/// finds, and PyTorch's <c>load_state_dict</c> lists of missing and unexpected keys under their dotted names.
/// </summary>
/// <param name="Differences">Every difference, in tree order (paths such as <c>./fc1/weight</c>; a whole missing layer is one entry, <c>./fc2</c>).</param>
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

    /// <summary>The report, with a missing or unexpected sub-tree spelled out as the tensor names under it.</summary>
    internal static TorchLoadReport Create(IReadOnlyList<CheckpointDifference> differences, IReadOnlyCollection<string> moduleNames, IReadOnlyCollection<string> fileNames) =>
        new(differences, Under(differences, CheckpointDifferenceKind.Missing, moduleNames), Under(differences, CheckpointDifferenceKind.Unexpected, fileNames));

    private static string[] Under(IReadOnlyList<CheckpointDifference> differences, CheckpointDifferenceKind kind, IReadOnlyCollection<string> names)
    {
        var found = new List<string>();
        foreach (CheckpointDifference difference in differences.Where(difference => difference.Kind == kind))
        {
            string prefix = ToDottedName(difference.Path);
            found.AddRange(names.Where(name => name == prefix || prefix.Length == 0 || name.StartsWith(prefix + ".", StringComparison.Ordinal)));
        }

        return [.. found.Distinct()];
    }
}
