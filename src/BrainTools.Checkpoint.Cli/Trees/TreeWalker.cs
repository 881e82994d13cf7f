namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>Flattens a tree in memory into its leaves in tree order; quantities and empty maps count as one leaf each.</summary>
internal static class TreeWalker
{
    public static List<Leaf> Leaves(StateNode root)
    {
        var leaves = new List<Leaf>();
        Walk(root, LeafPath.Root, leaves);
        return leaves;
    }

    /// <summary>Adds the leaves of <paramref name="node"/>, found at <paramref name="path"/>, to <paramref name="leaves"/>.</summary>
    public static void Walk(StateNode node, string path, List<Leaf> leaves)
    {
        if (node is StateMap map)
        {
            if (Quantity.TryFromStateDict(map, out Quantity? quantity))
            {
                leaves.Add(Leaf.Of(path, (StateValue)map["mantissa"], quantity));
            }
            else if (map.Count == 0)
            {
                leaves.Add(Leaf.EmptyMap(path));
            }
            else
            {
                foreach (KeyValuePair<string, StateNode> item in map)
                {
                    Walk(item.Value, LeafPath.Join(path, item.Key), leaves);
                }
            }

            return;
        }

        leaves.Add(Leaf.Of(path, (StateValue)node));
    }
}
