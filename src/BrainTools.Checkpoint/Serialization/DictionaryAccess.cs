using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Reads and rebuilds a dictionary of any type (<c>Dictionary&lt;K, V&gt;</c>, <c>SortedDictionary</c>,
/// <c>OrderedDictionary&lt;K, V&gt;</c>, <c>Hashtable</c>, ...): its entries, its value type, and a new instance of the
/// same type (with the same key comparer when it has one) holding restored entries. Cached per type.
/// </summary>
internal sealed class DictionaryAccess
{
    private static readonly ConcurrentDictionary<Type, DictionaryAccess?> Cache = new();

    private readonly Type _type;
    private readonly MethodInfo? _genericAdd;
    private readonly PropertyInfo? _comparer;

    private DictionaryAccess(Type type, Type keyType, Type valueType)
    {
        _type = type;
        KeyType = keyType;
        ValueType = valueType;
        _genericAdd = typeof(IDictionary).IsAssignableFrom(type) ? null : type.GetMethod("Add", [keyType, valueType]);
        _comparer = type.GetProperty("Comparer", BindingFlags.Public | BindingFlags.Instance);
    }

    public Type KeyType { get; }

    public Type ValueType { get; }

    /// <summary>How to read and rebuild dictionaries of <paramref name="type"/>; null when it is not a dictionary.</summary>
    public static DictionaryAccess? For(Type type) => Cache.GetOrAdd(type, Create);

    public List<KeyValuePair<object, object?>> Entries(object target)
    {
        var entries = new List<KeyValuePair<object, object?>>();
        if (target is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                entries.Add(new KeyValuePair<object, object?>(entry.Key, entry.Value));
            }

            return entries;
        }

        foreach (object pair in (IEnumerable)target)
        {
            Type pairType = pair.GetType();
            entries.Add(new KeyValuePair<object, object?>(pairType.GetProperty("Key")!.GetValue(pair)!, pairType.GetProperty("Value")!.GetValue(pair)));
        }

        return entries;
    }

    /// <summary>A new dictionary of the target's type with <paramref name="entries"/>, or a <c>Dictionary&lt;K, V&gt;</c> when the type cannot be made and that fits <paramref name="declared"/>.</summary>
    /// <exception cref="CheckpointException">Neither can be made.</exception>
    public object Build(object target, List<KeyValuePair<object, object?>> entries, Type declared, TreePath path)
    {
        object result = CreateLike(target)
            ?? Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(KeyType, ValueType))!;
        if (!declared.IsInstanceOfType(result))
        {
            throw new CheckpointException($"Cannot restore a {TypeNames.Of(_type)} at path {path}: it cannot be created (no parameterless constructor).", null, path.ToString());
        }

        foreach (KeyValuePair<object, object?> entry in entries)
        {
            if (result is IDictionary dictionary)
            {
                dictionary.Add(entry.Key, entry.Value);
            }
            else
            {
                _genericAdd!.Invoke(result, [entry.Key, entry.Value]);
            }
        }

        return result;
    }

    private static DictionaryAccess? Create(Type type)
    {
        Type? generic = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType
            && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));
        if (generic is not null)
        {
            Type[] arguments = generic.GetGenericArguments();
            return new DictionaryAccess(type, arguments[0], arguments[1]);
        }

        return typeof(IDictionary).IsAssignableFrom(type) ? new DictionaryAccess(type, typeof(object), typeof(object)) : null;
    }

    private object? CreateLike(object target)
    {
        if (_comparer?.GetValue(target) is { } comparer && _type.GetConstructor([_comparer.PropertyType]) is { } withComparer)
        {
            return withComparer.Invoke([comparer]);
        }

        return _type.GetConstructor(Type.EmptyTypes)?.Invoke(null);
    }
}
