namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A dictionary of any type (braintools' <c>_dict_state_dict</c> / <c>_restore_dict</c>): saved as a map of its
/// keys' string forms, which must be unique; restored key by key, a target key absent from the state being a
/// mismatch and keys only in the state ignored. The result is a new dictionary of the target's type.
/// </summary>
internal sealed class DictionaryConverter(DictionaryAccess access) : StateDictConverter
{
    public override StateNode Save(object value, SaveContext context)
    {
        List<KeyValuePair<object, object?>> entries = access.Entries(value);
        var map = new StateMap(entries.Count);
        foreach (KeyValuePair<object, object?> entry in entries)
        {
            string key = KeyOf(entry.Key, context);
            if (map.ContainsKey(key))
            {
                var collisions = entries.GroupBy(e => DictionaryKeys.Of(e.Key), e => (object?)e.Key, StringComparer.Ordinal).Where(g => g.Count() > 1);
                throw new CheckpointException(MismatchMessages.Collisions(collisions, context.Path), null, context.Path.ToString());
            }

            map.Add(key, context.SaveChild(entry.Value, key));
        }

        return map;
    }

    // braintools' str(key) raising: "Dict contains unhashable keys: ...".
    private static string KeyOf(object key, SaveContext context)
    {
        try
        {
            return DictionaryKeys.Of(key);
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException($"Dict contains unhashable keys: {e.Message} at path {context.Path}", null, context.Path.ToString(), e);
        }
    }

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        if (state is not StateMap map)
        {
            return context.TypeMismatch(target, state, "a dict");
        }

        List<KeyValuePair<object, object?>> entries = access.Entries(target);
        string[] keys = entries.Select(entry => DictionaryKeys.Of(entry.Key)).ToArray();
        string[] missing = keys.Where(key => !map.ContainsKey(key)).ToArray();
        if (missing.Length > 0)
        {
            context.Report(MismatchMessages.DictKeys(missing), null);
        }

        var restored = new List<KeyValuePair<object, object?>>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            KeyValuePair<object, object?> entry = entries[i];
            object? value = entry.Value;
            if (map.TryGetValue(keys[i], out StateNode? child))
            {
                value = context.RestoreChild(entry.Value, child, access.ValueType, keys[i]);
            }
            else if (context.Missing(keys[i], entry.Value) is { } difference)
            {
                context.Difference(difference);
            }

            restored.Add(new KeyValuePair<object, object?>(entry.Key, value));
        }

        var targetKeys = keys.ToHashSet(StringComparer.Ordinal);
        context.Unexpected(map, targetKeys.Contains);
        return context.IsDryRun ? target : access.Build(target, restored, declared, context.Path);
    }
}
