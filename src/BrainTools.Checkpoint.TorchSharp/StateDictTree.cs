namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// Dotted state_dict names as the nested maps brainstate and flax write: <c>fc1.weight</c> becomes
/// <c>{'fc1': {'weight': ...}}</c>, and <c>layers.0.bias</c> <c>{'layers': {'0': {'bias': ...}}}</c>.
/// </summary>
public static class StateDictTree
{
    /// <summary>Nests dotted names, keeping their order (each map lists its keys in the order first seen).</summary>
    /// <exception cref="ArgumentException">A name is empty, has an empty part, or is both a leaf and a prefix of another name (<c>a</c> and <c>a.b</c>).</exception>
    public static Dictionary<string, object?> Nest<T>(IEnumerable<KeyValuePair<string, T>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string name, T value) in entries)
        {
            string[] parts = name.Split('.');
            if (parts.Any(string.IsNullOrEmpty))
            {
                throw new ArgumentException($"'{name}' is not a dotted state_dict name.", nameof(entries));
            }

            Dictionary<string, object?> map = root;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                if (!map.TryGetValue(parts[i], out object? child))
                {
                    child = new Dictionary<string, object?>(StringComparer.Ordinal);
                    map[parts[i]] = child;
                }

                map = child as Dictionary<string, object?>
                    ?? throw new ArgumentException($"'{string.Join('.', parts[..(i + 1)])}' is both a value and a prefix of '{name}'.", nameof(entries));
            }

            if (!map.TryAdd(parts[^1], value))
            {
                throw new ArgumentException($"'{name}' appears twice, or is also a prefix of another name.", nameof(entries));
            }
        }

        return root;
    }

    /// <summary>The leaves of a nested tree (maps of <see cref="IDictionary{TKey, TValue}"/> or <see cref="StateMap"/>) under their dotted names, depth first.</summary>
    public static IEnumerable<KeyValuePair<string, object?>> Flatten(object? tree) => Flatten(tree, '.');

    /// <summary>As <see cref="Flatten(object?)"/>, with the keys joined by <paramref name="separator"/> (<c>/</c> for flax paths).</summary>
    public static IEnumerable<KeyValuePair<string, object?>> Flatten(object? tree, char separator)
    {
        var leaves = new List<KeyValuePair<string, object?>>();
        Walk(tree, "", separator, leaves);
        return leaves;
    }

    private static void Walk(object? node, string prefix, char separator, List<KeyValuePair<string, object?>> leaves)
    {
        switch (node)
        {
            case StateMap map:
                foreach ((string key, StateNode child) in map)
                {
                    Walk(child, prefix.Length == 0 ? key : prefix + separator + key, separator, leaves);
                }

                break;
            case IDictionary<string, object?> map:
                foreach ((string key, object? child) in map)
                {
                    Walk(child, prefix.Length == 0 ? key : prefix + separator + key, separator, leaves);
                }

                break;
            default:
                leaves.Add(new(prefix, node is StateValue value ? value.Value : node));
                break;
        }
    }
}
