using System.Globalization;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>The keys of list and tuple elements: <c>"0"</c>, <c>"1"</c>, ...</summary>
internal static class Indices
{
    private static readonly string[] Small = Enumerable.Range(0, 256).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public static string Key(int i) => i < Small.Length ? Small[i] : i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Restores the elements of a list or tuple from a map keyed by index (braintools' <c>_restore_list</c>): the sizes
    /// must match; under warn/ignore the target's extra elements are kept and extra saved ones dropped.
    /// </summary>
    public static object?[] Restore(IReadOnlyList<object?> current, IReadOnlyList<Type> types, StateMap map, CheckpointRestoreContext context)
    {
        if (map.Count != current.Count)
        {
            context.Report(MismatchMessages.ListSize(current.Count, map.Count), null);
        }
        else
        {
            string[] missing = Enumerable.Range(0, current.Count).Select(Key).Where(key => !map.ContainsKey(key)).ToArray();
            if (missing.Length > 0)
            {
                context.Report(MismatchMessages.DictKeys(missing), null);
            }
        }

        var values = new object?[current.Count];
        for (int i = 0; i < values.Length; i++)
        {
            string key = Key(i);
            if (map.TryGetValue(key, out StateNode? child))
            {
                values[i] = context.RestoreChild(current[i], child, types[i], key);
            }
            else
            {
                values[i] = current[i];
                if (context.Missing(key, current[i]) is { } difference)
                {
                    context.Difference(difference);
                }
            }
        }

        context.Unexpected(map, key => int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < current.Count && Key(i) == key);
        return values;
    }
}
