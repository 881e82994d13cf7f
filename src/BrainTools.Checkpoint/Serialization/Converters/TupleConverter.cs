using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>A <c>Tuple</c> or <c>ValueTuple</c>: saved like a list (keys <c>"0"</c>, <c>"1"</c>, ...), rebuilt with its element types.</summary>
internal sealed class TupleConverter(Type type) : StateDictConverter
{
    private readonly Type[] _types = ElementTypes(type).ToArray();

    public static bool IsSystemTuple(Type type) =>
        type.IsGenericType && type.Namespace == "System" && (type.Name.StartsWith("Tuple`", StringComparison.Ordinal) || type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal));

    public override StateNode Save(object value, SaveContext context)
    {
        var tuple = (ITuple)value;
        var map = new StateMap(tuple.Length);
        for (int i = 0; i < tuple.Length; i++)
        {
            string key = Indices.Key(i);
            map.Add(key, context.SaveChild(tuple[i], key));
        }

        return map;
    }

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context)
    {
        var tuple = (ITuple)target;
        if (state is not StateMap map)
        {
            return context.TypeMismatch(target, state, $"a tuple of {tuple.Length} elements");
        }

        var current = new object?[tuple.Length];
        for (int i = 0; i < current.Length; i++)
        {
            current[i] = tuple[i];
        }

        object?[] values = Indices.Restore(current, _types, map, context);
        return context.IsDryRun ? target : Create(type, values);
    }

    private static List<Type> ElementTypes(Type type)
    {
        Type[] arguments = type.GetGenericArguments();
        var types = arguments.Take(7).ToList();
        if (arguments.Length == 8)
        {
            types.AddRange(ElementTypes(arguments[7]));
        }

        return types;
    }

    private static object Create(Type type, ReadOnlySpan<object?> values)
    {
        Type[] arguments = type.GetGenericArguments();
        object?[] constructorArguments = arguments.Length == 8
            ? [.. values[..7], Create(arguments[7], values[7..])]
            : values.ToArray();
        return Activator.CreateInstance(type, constructorArguments)!;
    }
}
