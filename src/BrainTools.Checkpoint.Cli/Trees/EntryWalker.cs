namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// The leaves of a lazily opened msgpack checkpoint (<see cref="Msgpack.Open(string, MsgpackOptions?)"/>), in tree order, without reading
/// array payloads: arrays become leaves that read themselves when asked (<see cref="LeafArray.Read"/>), and the
/// scalars and the maps that may be quantities are fetched in one <see cref="CheckpointReader.ReadMatching"/> call
/// (scalars were decoded by the index; a quantity's small <c>dim</c> array and mantissa are read with it).
/// </summary>
internal static class EntryWalker
{
    private static readonly HashSet<string> QuantityKeys = new(["mantissa", "scale", "base", "dim", "factor"], StringComparer.Ordinal);

    /// <summary>The leaves; <paramref name="wanted"/> says which leaf paths are shown (others are never read).</summary>
    public static List<Leaf> Leaves(CheckpointReader reader, Func<string, bool> wanted)
    {
        // First pass: leaves in order, with placeholders for what ReadMatching fetches.
        var slots = new List<(string Path, Leaf? Leaf, string[]? Keys, bool MayBeQuantity)>();
        Walk(reader, reader.Root, LeafPath.Root, [], slots, wanted);

        var template = new StateMap();
        foreach ((_, _, string[]? keys, _) in slots)
        {
            if (keys is not null)
            {
                Add(template, keys);
            }
        }

        // A root that is not a map is read whole: a template that is not a map asks for exactly that.
        bool wholeRoot = slots.Exists(s => s.Keys is { Length: 0 });
        StateNode fetched = wholeRoot ? reader.ReadMatching(StateValue.Null) : template.Count == 0 ? template : reader.ReadMatching(template);
        var leaves = new List<Leaf>(slots.Count);
        foreach ((string path, Leaf? leaf, string[]? keys, bool mayBeQuantity) in slots)
        {
            if (leaf is not null)
            {
                leaves.Add(leaf);
                continue;
            }

            StateNode node = Find(fetched, keys!);
            if (mayBeQuantity)
            {
                // Not a quantity after all: its parts are leaves of their own, already read.
                TreeWalker.Walk(node, path, leaves);
            }
            else
            {
                leaves.Add(Leaf.Of(path, (StateValue)node));
            }
        }

        return leaves;
    }

    private static void Walk(CheckpointReader reader, CheckpointEntry entry, string path, string[] keys, List<(string, Leaf?, string[]?, bool)> slots, Func<string, bool> wanted)
    {
        switch (entry.Kind)
        {
            case StateNodeKind.Map when entry.Children.Count == 0:
                slots.Add((path, Leaf.EmptyMap(path), null, false));
                break;
            case StateNodeKind.Map when MayBeQuantity(entry):
                if (wanted(path) || entry.Children.Any(c => wanted(LeafPath.Join(path, c.Key))))
                {
                    slots.Add((path, null, keys, true));
                }

                break;
            case StateNodeKind.Map:
                foreach (CheckpointEntry child in entry.Children)
                {
                    Walk(reader, child, LeafPath.Join(path, child.Key), [.. keys, child.Key], slots, wanted);
                }

                break;
            case StateNodeKind.NdArray:
                slots.Add((path, new Leaf(path, null, null, new LeafArray(entry.DType!, entry.Shape, () => reader.ReadArray(entry))), null, false));
                break;
            default:
                slots.Add((path, null, keys, false));
                break;
        }
    }

    private static bool MayBeQuantity(CheckpointEntry entry) =>
        entry.Children.All(c => QuantityKeys.Contains(c.Key))
        && entry.TryGetChild("mantissa", out _) && entry.TryGetChild("dim", out _) && entry.TryGetChild("scale", out _) && entry.TryGetChild("base", out _);

    // A template that reaches exactly the given entry: maps down to it, then a leaf (read whole).
    private static void Add(StateMap template, string[] keys)
    {
        StateMap map = template;
        for (int i = 0; i < keys.Length - 1; i++)
        {
            if (!map.TryGetValue(keys[i], out StateNode? child))
            {
                child = new StateMap();
                map.Add(keys[i], child);
            }

            map = (StateMap)child;
        }

        if (keys.Length > 0)
        {
            map.TryAdd(keys[^1], StateValue.Null);
        }
    }

    private static StateNode Find(StateNode root, string[] keys)
    {
        StateNode node = root;
        foreach (string key in keys)
        {
            node = ((StateMap)node)[key];
        }

        return node;
    }
}
