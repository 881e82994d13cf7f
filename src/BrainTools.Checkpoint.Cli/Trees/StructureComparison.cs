namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// What restoring a state (a file's raw tree) into a target structure (another file's raw tree) would find: keys of
/// the target missing from the state, keys of the state the target does not have (a restore ignores them), and
/// leaves whose type, dtype, shape or unit differ.
/// </summary>
/// <remarks>
/// This is the tool's own walk. The library's reconciliation report (<c>Msgpack.Reconcile(target, state)</c>) answers
/// the same question with the restore's own rules; <see cref="Compare"/> is the one place to switch to it.
/// </remarks>
internal static class StructureComparison
{
    public static List<StructureIssue> Compare(StateNode target, StateNode state)
    {
        var issues = new List<StructureIssue>();
        Walk(target, state, TreePath.Root, issues);
        return issues;
    }

    private static void Walk(StateNode target, StateNode state, string path, List<StructureIssue> issues)
    {
        bool targetQuantity = target is StateMap tq && QuantityUnit.TryFromQuantity(tq, out _, out _);
        bool stateQuantity = state is StateMap sq && QuantityUnit.TryFromQuantity(sq, out _, out _);
        if (target is StateMap targetMap && state is StateMap stateMap && !targetQuantity && !stateQuantity)
        {
            foreach (KeyValuePair<string, StateNode> item in targetMap)
            {
                string child = TreePath.Join(path, item.Key);
                if (stateMap.TryGetValue(item.Key, out StateNode? value))
                {
                    Walk(item.Value, value, child, issues);
                }
                else
                {
                    issues.Add(new StructureIssue(StructureIssue.Missing, child, Summary(item.Value)));
                }
            }

            foreach (KeyValuePair<string, StateNode> item in stateMap.Where(i => !targetMap.ContainsKey(i.Key)))
            {
                issues.Add(new StructureIssue(StructureIssue.Extra, TreePath.Join(path, item.Key), Summary(item.Value)));
            }

            return;
        }

        Leaf expected = TreeWalker.Leaves(target)[0];
        Leaf actual = TreeWalker.Leaves(state)[0];
        if (target is StateMap { Count: > 0 } && !targetQuantity)
        {
            issues.Add(new StructureIssue(StructureIssue.Mismatch, path, $"type {actual.Describe()}, expected {Summary(target)}"));
            return;
        }

        if (state is StateMap { Count: > 0 } && !stateQuantity)
        {
            issues.Add(new StructureIssue(StructureIssue.Mismatch, path, $"type {Summary(state)}, expected {expected.Describe()}"));
            return;
        }

        if (expected.TypeName != actual.TypeName || expected.Value?.Kind != actual.Value?.Kind)
        {
            issues.Add(new StructureIssue(StructureIssue.Mismatch, path, $"type {actual.Describe()}, expected {expected.Describe()}"));
            return;
        }

        if (expected.Unit is not null && !expected.Unit.Equals(actual.Unit))
        {
            issues.Add(new StructureIssue(StructureIssue.Mismatch, path, $"unit {actual.Unit}, expected {expected.Unit}"));
        }

        (DType? expectedDType, DType? actualDType) = (DTypeOf(expected), DTypeOf(actual));
        if (expectedDType is not null && actualDType is not null && expectedDType != actualDType)
        {
            issues.Add(new StructureIssue(StructureIssue.Mismatch, path, $"dtype {actualDType}, expected {expectedDType}"));
        }

        if (expected.Array is NdArray e && actual.Array is NdArray a && e.Shape != a.Shape)
        {
            issues.Add(new StructureIssue(StructureIssue.Mismatch, path, $"shape {a.Shape}, expected {e.Shape}"));
        }
    }

    private static DType? DTypeOf(Leaf leaf) => leaf.Value?.Value switch
    {
        NdArray a => a.DType,
        NumpyScalar s => s.DType,
        _ => null,
    };

    private static string Summary(StateNode node)
    {
        List<Leaf> leaves = TreeWalker.Leaves(node);
        return node is StateMap { Count: > 0 } map && !QuantityUnit.TryFromQuantity(map, out _, out _)
            ? $"a map of {leaves.Count} {(leaves.Count == 1 ? "leaf" : "leaves")}"
            : leaves[0].Describe();
    }
}
