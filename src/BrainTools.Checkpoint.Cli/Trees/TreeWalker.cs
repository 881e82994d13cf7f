namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>Flattens a tree into its leaves in tree order; quantities and empty maps count as one leaf each.</summary>
internal static class TreeWalker
{
    public static List<Leaf> Leaves(StateNode root)
    {
        var leaves = new List<Leaf>();
        Walk(root, LeafPath.Root, leaves);
        return leaves;
    }

    private static void Walk(StateNode node, string path, List<Leaf> leaves)
    {
        if (node is StateMap map)
        {
            if (Quantity.TryFromStateDict(map, out Quantity? quantity))
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
                    Walk(item.Value, LeafPath.Join(path, item.Key), leaves);
                }
            }

            return;
        }

        leaves.Add(new Leaf(path, node, (StateValue)node, null));
    }
}
