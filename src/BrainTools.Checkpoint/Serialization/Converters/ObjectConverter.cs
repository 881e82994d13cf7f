using System.Reflection;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A record or plain class, as braintools handles a namedtuple: saved as a map of its members (snake_case keys;
/// a record without members as <c>{}</c>, like an <c>EmptyState()</c>); restored when the saved keys are its member
/// keys, accepting the legacy <c>{'name', 'fields', 'values'}</c> form older flax and braintools wrote. Records are
/// copied (as <c>with</c> does) or rebuilt by their constructor, structs are copied, plain classes restored in place.
/// </summary>
internal sealed class ObjectConverter(ObjectShape shape) : StateDictConverter
{
    private static readonly string[] LegacyKeys = ["fields", "name", "values"];

    public override StateNode Save(object value, SaveContext context)
    {
        IReadOnlyList<ObjectMember> members = shape.Members;
        var map = new StateMap(members.Count);
        foreach (ObjectMember member in members)
        {
            map.Add(member.Key, context.SaveChild(member.Get(value), member.Key));
        }

        return map;
    }

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        if (state is not StateMap map)
        {
            return context.TypeMismatch(target, state, $"the fields of {TypeNames.Of(shape.Type)}");
        }

        IReadOnlyList<ObjectMember> members = shape.Members;
        map = FromLegacyForm(map, members, context);
        if (map.Count != members.Count || members.Any(member => !map.ContainsKey(member.Key)))
        {
            context.Report(MismatchMessages.FieldNames(map.Keys, members.Select(member => member.Key)), null);
        }

        var current = new object?[members.Count];
        var values = new object?[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            ObjectMember member = members[i];
            current[i] = member.Get(target);
            if (map.TryGetValue(member.Key, out StateNode? child))
            {
                values[i] = context.RestoreChild(current[i], child, member.Type, member.Key);
            }
            else
            {
                values[i] = current[i];
                if (context.Missing(member.Key, current[i]) is { } difference)
                {
                    context.Difference(difference);
                }
            }
        }

        context.Unexpected(map, key => members.Any(member => member.Key == key));
        if (context.IsDryRun)
        {
            return target;
        }

        try
        {
            return Rebuild(target, current, values, context.Path);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The type's own code (a constructor, a setter, a copy) refused the values: name the type and where.
            throw new CheckpointException(MismatchMessages.Reconstruct(TypeNames.Of(shape.Type), context.Path, e.InnerException), context.FilePath, context.Path.ToString(), e.InnerException);
        }
    }

    /// <summary>
    /// braintools and flax read <c>{'name': 'NT', 'fields': {'0': 'a', ...}, 'values': {'0': 10, ...}}</c> as
    /// <c>{'a': 10, ...}</c>, unless the record's own fields are exactly those three names.
    /// </summary>
    private static StateMap FromLegacyForm(StateMap map, IReadOnlyList<ObjectMember> members, CheckpointRestoreContext context)
    {
        if (map.Count != 3 || !LegacyKeys.All(map.ContainsKey) || (members.Count == 3 && LegacyKeys.All(key => members.Any(member => member.Key == key))))
        {
            return map;
        }

        if (map["fields"] is not StateMap fields || map["values"] is not StateMap values)
        {
            throw new InvalidCheckpointException($"a namedtuple in the legacy form has maps 'fields' and 'values', found {map["fields"].Describe()} and {map["values"].Describe()}", treePath: context.Path.ToString());
        }

        var result = new StateMap(fields.Count);
        for (int i = 0; i < fields.Count; i++)
        {
            string index = Indices.Key(i);
            if (!fields.TryGetValue(index, out StateNode? name) || (name as StateValue)?.Value is not string field || !values.TryGetValue(index, out StateNode? value) || result.ContainsKey(field))
            {
                throw new InvalidCheckpointException($"a namedtuple in the legacy form names each field once under 'fields' and gives its value under 'values'; field {index} is missing, not a string or repeated", treePath: context.Path.ToString());
            }

            result.Add(field, value);
        }

        return result;
    }

    private object Rebuild(object target, object?[] current, object?[] values, TreePath path)
    {
        IReadOnlyList<ObjectMember> members = shape.Members;
        bool[] changed = values.Select((value, i) => !ReferenceEquals(value, current[i]) && !Equals(value, current[i])).ToArray();
        bool allSettable = members.Select((member, i) => !changed[i] || member.Set is not null).All(ok => ok);
        if (allSettable)
        {
            object result = shape.CloneMethod is not null ? shape.CloneMethod.Invoke(target, null)!
                : shape.Type.IsValueType ? CopyBox(target)
                : target;
            for (int i = 0; i < members.Count; i++)
            {
                if (changed[i])
                {
                    members[i].Set!(result, values[i]);
                }
            }

            return result;
        }

        return Construct(values, changed, path);
    }

    private static object CopyBox(object box) =>
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(box, null)!;

    /// <summary>Builds the object through the public constructor whose parameters are members (a positional record's), then sets the rest.</summary>
    private object Construct(object?[] values, bool[] changed, TreePath path)
    {
        IReadOnlyList<ObjectMember> members = shape.Members;
        foreach (ConstructorInfo constructor in shape.Constructors.OrderByDescending(c => c.GetParameters().Length))
        {
            ParameterInfo[] parameters = constructor.GetParameters();
            int[] indices = parameters.Select(p => IndexOfMember(members, p)).ToArray();
            if (indices.Any(i => i < 0))
            {
                continue;
            }

            bool restCanBeSet = Enumerable.Range(0, members.Count).All(i => indices.Contains(i) || !changed[i] || members[i].Set is not null);
            if (!restCanBeSet)
            {
                continue;
            }

            object result = constructor.Invoke(indices.Select(i => values[i]).ToArray());
            for (int i = 0; i < members.Count; i++)
            {
                if (!indices.Contains(i) && members[i].Set is { } set)
                {
                    set(result, values[i]);
                }
            }

            return result;
        }

        string stuck = string.Join(", ", members.Where((member, i) => changed[i] && member.Set is null).Select(member => member.Member.Name));
        throw new CheckpointException(
            $"Cannot restore {TypeNames.Of(shape.Type)} at path {path}: {stuck} cannot be set and no public constructor takes it; add a setter or init accessor, or register a serialization.",
            null,
            path.ToString());
    }

    private static int IndexOfMember(IReadOnlyList<ObjectMember> members, ParameterInfo parameter)
    {
        string? key = parameter.GetCustomAttribute<CheckpointNameAttribute>()?.Name;
        for (int i = 0; i < members.Count; i++)
        {
            if (key is not null ? members[i].Key == key : string.Equals(members[i].Member.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))
            {
                return members[i].Type.IsAssignableFrom(parameter.ParameterType) || parameter.ParameterType.IsAssignableFrom(members[i].Type) ? i : -1;
            }
        }

        return -1;
    }
}
