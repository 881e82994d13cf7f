using System.Collections;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A list or an array of objects (braintools' <c>_list_state_dict</c> / <c>_restore_list</c>): saved as a map keyed
/// <c>"0"</c>, <c>"1"</c>, ...; restored element by element into a new list (or array) of the target's type.
/// </summary>
internal sealed class ListConverter : StateDictConverter
{
    private readonly Type _type;
    private readonly Type _elementType;

    public ListConverter(Type type)
    {
        _type = type;
        _elementType = type.IsArray
            ? type.GetElementType()!
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>))?.GetGenericArguments()[0] ?? typeof(object);
    }

    public override StateNode Save(object value, SaveContext context) => SequenceConverter.SaveItems((IEnumerable)value, context);

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        var list = (IList)target;
        if (state is not StateMap map)
        {
            return context.TypeMismatch(target, state, $"a list of {list.Count} elements");
        }

        var current = new object?[list.Count];
        list.CopyTo(current, 0);
        object?[] values = Indices.Restore(current, Enumerable.Repeat(_elementType, current.Length).ToArray(), map, context);
        return context.IsDryRun ? target : Build(values, declared, context.Path);
    }

    private object Build(object?[] values, Type declared, TreePath path)
    {
        if (_type.IsArray)
        {
            var array = Array.CreateInstance(_elementType, values.Length);
            for (int i = 0; i < values.Length; i++)
            {
                array.SetValue(values[i], i);
            }

            return array;
        }

        IList result = _type.GetConstructor(Type.EmptyTypes) is not null
            ? (IList)Activator.CreateInstance(_type)!
            : (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(_elementType))!;
        if (!declared.IsInstanceOfType(result))
        {
            throw new CheckpointException($"Cannot restore a {TypeNames.Of(_type)} at path {path}: it has no parameterless constructor.", null, path.ToString());
        }

        foreach (object? value in values)
        {
            result.Add(value);
        }

        return result;
    }
}
