namespace BrainTools.Checkpoint.Cli.Tests;

/// <summary>The leaves of a tree by path (keys joined by '/'), to compare trees whose key order may differ.</summary>
internal static class TreeLeaves
{
    public static Dictionary<string, StateNode> Of(StateNode root)
    {
        var leaves = new Dictionary<string, StateNode>(StringComparer.Ordinal);
        Walk(root, string.Empty, leaves);
        return leaves;
    }

    public static void AssertSameLeaves(StateNode expected, StateNode actual)
    {
        Dictionary<string, StateNode> want = Of(expected);
        Dictionary<string, StateNode> got = Of(actual);
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach ((string path, StateNode node) in want)
        {
            Assert.True(node.DeepEquals(got[path]), $"{path}: expected {node}, got {got[path]}");
        }
    }

    private static void Walk(StateNode node, string path, Dictionary<string, StateNode> leaves)
    {
        if (node is StateMap map && map.Count > 0)
        {
            foreach (KeyValuePair<string, StateNode> item in map)
            {
                Walk(item.Value, path.Length == 0 ? item.Key : path + "/" + item.Key, leaves);
            }

            return;
        }

        leaves[path] = node;
    }
}
