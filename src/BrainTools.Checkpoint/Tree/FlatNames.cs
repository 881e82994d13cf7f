namespace BrainTools.Checkpoint;

/// <summary>
/// Between a tree and the flat name → value lists of safetensors and npz: a value's name is the keys of its path
/// joined by a separator (<c>.</c> for safetensors, <c>/</c> for npz), and a flat list is nested back by splitting
/// the names at the separator. Empty maps are values of their own (they would vanish otherwise).
/// </summary>
internal static class FlatNames
{
    /// <summary>The name a root that is not a map is stored under.</summary>
    public const string RootName = "__root__";

    /// <summary>The leaves (and empty maps) of a tree with their joined names and tree paths, in tree order.</summary>
    /// <remarks>Keys holding the separator, empty keys and names taken twice are noted in <paramref name="report"/>.</remarks>
    public static List<(string Name, TreePath Path, StateNode Node)> Flatten(StateNode root, char separator, ConversionReport report)
    {
        var items = new List<(string, TreePath, StateNode)>();
        if (root is not StateMap map)
        {
            report.Changed(".", $"the root is {root.Kind.PythonName()}, not a map: stored under the name '{RootName}'");
            items.Add((RootName, TreePath.Root, root));
            return items;
        }

        Walk(map, string.Empty, TreePath.Root, separator, items, new HashSet<string>(StringComparer.Ordinal), report);
        return items;
    }

    /// <summary>Nests flat names into maps, in the order given; a lone <see cref="RootName"/> is the root itself.</summary>
    /// <param name="items">The names and values.</param>
    /// <param name="separator">The separator of the names.</param>
    /// <param name="maxDepth">The deepest nesting accepted.</param>
    /// <param name="filePath">The file, for errors.</param>
    /// <exception cref="InvalidCheckpointException">A name is both a value and the prefix of another, or nests deeper than <paramref name="maxDepth"/>.</exception>
    public static StateNode Nest(IReadOnlyList<(string Name, StateNode Node)> items, char separator, int maxDepth, string filePath)
    {
        if (items.Count == 1 && items[0].Name == RootName && items[0].Node is not StateMap)
        {
            return items[0].Node;
        }

        var root = new StateMap();
        foreach ((string name, StateNode node) in items)
        {
            StateMap parent = root;
            TreePath path = TreePath.Root;
            int depth = 0;
            int start = 0;
            while (true)
            {
                int end = name.IndexOf(separator, start);
                string key = end < 0 ? name[start..] : name[start..end];
                path = path.Child(key);
                if (++depth > maxDepth)
                {
                    throw new InvalidCheckpointException($"the name '{Shorten(name)}' nests deeper than {maxDepth} levels (TensorFileOptions.MaxDepth)", filePath, path.ToString());
                }

                if (end < 0)
                {
                    if (!parent.TryAdd(key, node))
                    {
                        throw new InvalidCheckpointException($"'{Shorten(name)}' is both a value and a group of values, or appears twice", filePath, path.ToString());
                    }

                    break;
                }

                if (!parent.TryGetValue(key, out StateNode? child))
                {
                    child = new StateMap();
                    parent.Add(key, child);
                }

                parent = child as StateMap
                    ?? throw new InvalidCheckpointException($"'{Shorten(name)}' lies under '{Shorten(name[..end])}', which is a value, not a group", filePath, path.ToString());
                start = end + 1;
            }
        }

        return root;
    }

    // A hostile name may be megabytes long: keep messages to one readable line.
    private static string Shorten(string name) => name.Length <= 120 ? name : $"{name[..50]}...{name[^50..]} ({name.Length} characters)";

    private static void Walk(StateMap map, string prefix, TreePath path, char separator, List<(string, TreePath, StateNode)> items, HashSet<string> names, ConversionReport report)
    {
        foreach (KeyValuePair<string, StateNode> item in map)
        {
            TreePath childPath = path.Child(item.Key);
            string name = prefix.Length == 0 && path.IsRoot ? item.Key : prefix + separator + item.Key;
            if (item.Key.Length == 0)
            {
                report.Changed(childPath.ToString(), "an empty key: it loads back merged with its parent's name");
            }
            else if (item.Key.Contains(separator, StringComparison.Ordinal))
            {
                report.Changed(childPath.ToString(), $"the key '{item.Key}' contains '{separator}': it loads back split into nested keys");
            }

            if (item.Value is StateMap child && child.Count > 0)
            {
                Walk(child, name, childPath, separator, items, names, report);
            }
            else if (!names.Add(name))
            {
                report.Dropped(childPath.ToString(), $"its name '{name}' is taken by another value");
            }
            else
            {
                items.Add((name, childPath, item.Value));
            }
        }
    }
}
