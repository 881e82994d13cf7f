using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Turns .NET objects into a state-dict tree (braintools' <c>to_state_dict</c>): dictionaries keep their keys
/// as strings, lists/tuples/arrays of objects become maps keyed <c>"0"</c>, <c>"1"</c>, ..., numeric .NET arrays
/// and tensors become <see cref="NdArray"/> leaves (arrays shared, not copied), scalars become leaves, registered
/// types (and the built-in <see cref="State"/> and <see cref="Module"/>) what their handler returns, and records
/// and plain classes maps of their members (snake_case keys).
/// </summary>
internal static class StateDictConverter
{
    private const int MaxDepth = 1000;

    /// <summary>Converts <paramref name="value"/>; a <see cref="StateNode"/> is returned as it is.</summary>
    /// <exception cref="CheckpointException">A value has no state-dict form; the message names its path.</exception>
    public static StateNode ToStateDict(object? value) => Convert(value, ".", 0);

    private static StateNode Convert(object? value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new CheckpointException($"The object nests deeper than {MaxDepth} levels (a reference cycle?) at path {path}", null, path);
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new CheckpointException($"The object nests deeper than this thread's stack can follow at path {path}", null, path);
        }

        switch (value)
        {
            case StateNode node:
                return node;
            case null or bool or string or byte[] or NdArray or NumpyScalar or ExtensionValue or Complex:
                return new StateValue(value);
            case long or int or short or sbyte or byte or ushort or uint or ulong or double or float:
                return new StateValue(value);
            case Half or BFloat16 or Float8E4M3FN or Float8E5M2 or Complex64:
                return new StateValue(CreateScalar(value));
            case char c:
                return new StateValue(c.ToString());
            case decimal d:
                return new StateValue((double)d);
            case Enum e:
                return new StateValue(System.Convert.ToInt64(e, CultureInfo.InvariantCulture));
            case ReadOnlyMemory<byte> memory:
                return new StateValue(memory.ToArray());
            case Array array when DType.TryFromClrType(array.GetType().GetElementType()!, out _):
                return new StateValue(NdArray.FromArray(array));
        }

        Type type = value.GetType();
        if (SerializationRegistry.Find(type) is { } handler)
        {
            object? saved = handler.ToStateDict(value);
            if (ReferenceEquals(saved, value))
            {
                throw new CheckpointException($"The serialization registered for {handler.Type.Name} returned the object itself at path {path}; return its state (a dictionary, an array, a value).", null, path);
            }

            return Convert(saved, path, depth + 1);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Tensor<>))
        {
            MethodInfo fromTensor = typeof(NdArray).GetMethod(nameof(NdArray.FromTensor))!.MakeGenericMethod(type.GetGenericArguments()[0]);
            return new StateValue((NdArray)fromTensor.Invoke(null, [value])!);
        }

        if (value is IDictionary dictionary)
        {
            var map = new StateMap(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                AddUnique(map, KeyString(entry.Key), entry.Value, path, depth);
            }

            return map;
        }

        if (TryGetDictionaryEntries(value, out IEnumerable<KeyValuePair<object?, object?>>? entries))
        {
            var map = new StateMap();
            foreach (KeyValuePair<object?, object?> entry in entries)
            {
                AddUnique(map, KeyString(entry.Key), entry.Value, path, depth);
            }

            return map;
        }

        if (value is ITuple tuple)
        {
            var map = new StateMap(tuple.Length);
            for (int i = 0; i < tuple.Length; i++)
            {
                string key = i.ToString(CultureInfo.InvariantCulture);
                map.Add(key, Convert(tuple[i], Child(path, key), depth + 1));
            }

            return map;
        }

        if (value is IEnumerable sequence)
        {
            var map = new StateMap();
            int i = 0;
            foreach (object? item in sequence)
            {
                string key = (i++).ToString(CultureInfo.InvariantCulture);
                map.Add(key, Convert(item, Child(path, key), depth + 1));
            }

            return map;
        }

        if (ObjectShape.CanDescribe(type) && ObjectShape.For(type).Members.Count > 0)
        {
            // A record or plain class is saved as a map of its members, as a namedtuple is.
            IReadOnlyList<ObjectMember> members = ObjectShape.For(type).Members;
            var map = new StateMap(members.Count);
            foreach (ObjectMember member in members)
            {
                map.Add(member.Key, Convert(member.Get(value), Child(path, member.Key), depth + 1));
            }

            return map;
        }

        throw new CheckpointException($"Cannot save a {type} at path {path}: it has no state-dict form (no public data members, no registered serialization).", null, path);
    }

    private static void AddUnique(StateMap map, string key, object? value, string path, int depth)
    {
        if (map.ContainsKey(key))
        {
            throw new CheckpointException($"Dict keys do not have a unique string representation: '{key}' appears twice at path {path}", null, path);
        }

        map.Add(key, Convert(value, Child(path, key), depth + 1));
    }

    private static string Child(string path, string key) => path == "." ? "./" + key : path + "/" + key;

    /// <summary>A dictionary key as braintools writes it: Python's <c>str(key)</c>.</summary>
    internal static string KeyString(object? key) => key switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? string.Empty,
    };

    private static NumpyScalar CreateScalar(object value) => value switch
    {
        Half h => NumpyScalar.Create(h),
        BFloat16 b => NumpyScalar.Create(b),
        Float8E4M3FN f => NumpyScalar.Create(f),
        Float8E5M2 f => NumpyScalar.Create(f),
        Complex64 c => NumpyScalar.Create(c),
        _ => throw new ArgumentException(value.GetType().Name, nameof(value)),
    };

    // IReadOnlyDictionary<K, V> that is not also IDictionary (ImmutableDictionary is both; ReadOnlyDictionary too).
    private static bool TryGetDictionaryEntries(object value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IEnumerable<KeyValuePair<object?, object?>>? entries)
    {
        Type? readOnly = value.GetType().GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));
        if (readOnly is null)
        {
            entries = null;
            return false;
        }

        entries = ((IEnumerable)value).Cast<object>().Select(pair =>
        {
            Type pairType = pair.GetType();
            return new KeyValuePair<object?, object?>(pairType.GetProperty("Key")!.GetValue(pair), pairType.GetProperty("Value")!.GetValue(pair));
        });
        return true;
    }
}
