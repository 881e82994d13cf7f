namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>Flattens a tree into its leaves in tree order; quantities and empty maps count as one leaf each.</summary>
internal static class TreeWalker
{
    private static readonly string[] QuantityKeys = ["mantissa", "scale", "base", "dim", "factor"];

    public static List<Leaf> Leaves(StateNode root)
    {
        var leaves = new List<Leaf>();
        Walk(root, TreePath.Root, leaves);
        return leaves;
    }

    private static void Walk(StateNode node, string path, List<Leaf> leaves)
    {
        if (node is StateMap map)
        {
            if (TryReadQuantity(map, path, out Quantity? quantity))
            {
                leaves.Add(new Leaf(path, node, (StateValue)map["mantissa"], quantity));
            }
            else if (map.Count == 0)
            {
                leaves.Add(new Leaf(path, node, null, null));
            }
            else
            {
                foreach (KeyValuePair<string, StateNode> item in map)
                {
                    Walk(item.Value, TreePath.Join(path, item.Key), leaves);
                }
            }

            return;
        }

        leaves.Add(new Leaf(path, node, (StateValue)node, null));
    }

    // Only a map of nothing but the quantity's keys is one leaf, so no key of the file goes unshown; a map the
    // library cannot read as a quantity stays a plain map.
    private static bool TryReadQuantity(StateMap map, string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Quantity? quantity)
    {
        quantity = null;
        if (!map.ContainsKey("mantissa") || map.Keys.Any(key => !QuantityKeys.Contains(key, StringComparer.Ordinal)))
        {
            return false;
        }

        try
        {
            quantity = Quantity.FromStateDict(map, TreePath.Braintools(path));
            return true;
        }
        catch (InvalidCheckpointException)
        {
            return false;
        }
    }
}
