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

    /// <summary>
    /// What two reads of the same bytes must agree on: every key in order, every leaf's kind and value (an array's
    /// dtype, shape and bytes), without recursion.
    /// </summary>
    public static string Fingerprint(StateNode root)
    {
        var text = new System.Text.StringBuilder();
        var pending = new Stack<(string Key, StateNode Node)>();
        pending.Push((".", root));
        while (pending.Count > 0)
        {
            (string key, StateNode node) = pending.Pop();
            text.Append(key).Append('=');
            if (node is StateMap map)
            {
                text.Append('{').Append(map.Count).Append('}');
                foreach (KeyValuePair<string, StateNode> child in map.Reverse())
                {
                    pending.Push((child.Key, child.Value));
                }
            }
            else if (node is StateValue { Value: NdArray array })
            {
                // Fuzz inputs are small: the whole array fits a span.
                byte[] content = new byte[array.ByteLength];
                array.CopyTo(content);
                text.Append(array.DType).Append(array.Shape).Append(Convert.ToHexString(content));
            }
            else if (node is StateValue { Value: byte[] bytes })
            {
                text.Append("b:").Append(Convert.ToHexString(bytes));
            }
            else if (node is StateValue value)
            {
                text.Append(value.Value?.GetType().Name).Append(':').Append(value.Value);
            }

            text.Append(';');
        }

        return text.ToString();
    }
}
