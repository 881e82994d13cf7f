namespace BrainTools.Checkpoint.Fuzz;

/// <summary>Visits every node of a loaded tree, as a caller using the result would (no lazy part left untouched).</summary>
internal static class TreeWalk
{
    /// <summary>The number of nodes, reached without recursion (a deep tree must not overflow the fuzzer's stack).</summary>
    public static long Count(StateNode root)
    {
        long count = 0;
        var pending = new Stack<StateNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            StateNode node = pending.Pop();
            count++;
            if (node is StateMap map)
            {
                foreach (KeyValuePair<string, StateNode> child in map)
                {
                    pending.Push(child.Value);
                }
            }
            else if (node is StateValue { Value: NdArray array })
            {
                count += array.Shape.Rank;
            }
        }

        return count;
    }
}
