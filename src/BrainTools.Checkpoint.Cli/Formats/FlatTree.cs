namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>
/// Between a tree and the flat name → value lists of safetensors and npz: names are the keys of the path joined by
/// a separator (<c>.</c> for safetensors, <c>/</c> for npz), and a flat list is nested back by splitting them.
/// </summary>
internal static class FlatTree
{
    /// <summary>The leaves (and empty maps) of a tree with their joined names, in tree order.</summary>
    public static List<(string Name, string Path, StateNode Node)> Flatten(StateNode root, char separator, ConversionReport report)
    {
        var items = new List<(string, string, StateNode)>();
        if (root is not StateMap map)
        {
            report.Changed(".", $"the root is {Trees.Leaf.KindName(root.Kind)}, not a map: stored under the name '__root__'");
            items.Add(("__root__", ".", root));
            return items;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        Walk(map, string.Empty, string.Empty, separator, items, names, report);
        return items;
    }

    /// <summary>Nests flat names into maps, in the order given.</summary>
    /// <exception cref="CheckpointFormatException">A name is both a value and the prefix of another.</exception>
    public static StateMap Nest(IEnumerable<(string Name, StateNode Node)> items, char separator)
    {
        var root = new StateMap();
        foreach ((string name, StateNode node) in items)
        {
            string[] keys = name.Split(separator);
            StateMap parent = root;
            for (int i = 0; i < keys.Length - 1; i++)
            {
                if (!parent.TryGetValue(keys[i], out StateNode? child))
                {
                    child = new StateMap();
                    parent.Add(keys[i], child);
                }

                parent = child as StateMap
                    ?? throw new CheckpointFormatException($"'{name}' lies under '{string.Join(separator, keys[..(i + 1)])}', which is a value, not a group");
            }

            if (!parent.TryAdd(keys[^1], node))
            {
                throw new CheckpointFormatException($"'{name}' is both a value and a group of values");
            }
        }

        return root;
    }

    private static void Walk(StateMap map, string prefix, string path, char separator, List<(string, string, StateNode)> items, HashSet<string> names, ConversionReport report)
    {
        foreach (KeyValuePair<string, StateNode> item in map)
        {
            string childPath = path.Length == 0 ? item.Key : path + "/" + item.Key;
            string name = prefix.Length == 0 ? item.Key : prefix + separator + item.Key;
            if (item.Key.Contains(separator, StringComparison.Ordinal) || item.Key.Length == 0)
            {
                report.Changed(childPath, item.Key.Length == 0
                    ? "an empty key: it loads back merged with its parent's name"
                    : $"the key '{item.Key}' contains '{separator}': it loads back split into nested keys");
            }

            if (item.Value is StateMap child && child.Count > 0)
            {
                Walk(child, name, childPath, separator, items, names, report);
            }
            else if (!names.Add(name))
            {
                report.Dropped(childPath, $"its name '{name}' is taken by another value");
            }
            else
            {
                items.Add((name, childPath, item.Value));
            }
        }
    }
}
