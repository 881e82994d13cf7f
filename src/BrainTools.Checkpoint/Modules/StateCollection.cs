using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>
/// The States of a <see cref="Module"/> keyed by path (<c>linear/weight</c>), in the order they were found
/// (brainstate's flat dict of <c>states()</c>). Saved as the nested map of their values
/// (<c>{'linear': {'weight': ...}}</c>); restoring into it restores each State in place.
/// </summary>
/// <remarks>A snapshot: adding members to the module later does not change it. Not thread-safe.</remarks>
public sealed class StateCollection : IReadOnlyDictionary<string, State>
{
    private readonly OrderedDictionary<string, State> _byPath = new(StringComparer.Ordinal);
    private readonly List<string[]> _paths = [];

    private StateCollection()
    {
    }

    /// <inheritdoc />
    public int Count => _byPath.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _byPath.Keys;

    /// <inheritdoc />
    public IEnumerable<State> Values => _byPath.Values;

    /// <summary>The path of each State as its names (<c>["layers", "0", "weight"]</c>), in order.</summary>
    internal IReadOnlyList<string[]> Paths => _paths;

    /// <summary>The State at <paramref name="path"/> (names joined by <c>/</c>).</summary>
    /// <exception cref="KeyNotFoundException">No State has that path.</exception>
    public State this[string path] => _byPath.TryGetValue(path, out State? state)
        ? state
        : throw new KeyNotFoundException($"No State at '{path}'; the paths are {string.Join(", ", _byPath.Keys)}.");

    /// <inheritdoc />
    public bool ContainsKey(string key) => _byPath.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out State value) => _byPath.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, State>> GetEnumerator() => _byPath.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line per State: <c>linear/weight: ParamState(value=...)</c>.</summary>
    public override string ToString() => string.Join(Environment.NewLine, _byPath.Select(item => $"{item.Key}: {item.Value}"));

    /// <summary>The States nested by path, as maps of names: the shape they are saved in.</summary>
    internal OrderedDictionary<string, object?> ToNested()
    {
        var root = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < _paths.Count; i++)
        {
            string[] path = _paths[i];
            OrderedDictionary<string, object?> level = root;
            for (int j = 0; j < path.Length - 1; j++)
            {
                if (!level.TryGetValue(path[j], out object? next) || next is not OrderedDictionary<string, object?> child)
                {
                    child = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                    level[path[j]] = child;
                }

                level = child;
            }

            level[path[^1]] = _byPath.GetAt(i).Value;
        }

        return root;
    }

    internal static StateCollection Gather(Module module, Func<State, bool> filter)
    {
        var collection = new StateCollection();
        var seenStates = new HashSet<State>(ReferenceEqualityComparer.Instance);
        var seenModules = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var path = new List<string>();
        collection.Visit(module, path, seenStates, seenModules, filter);
        return collection;
    }

    private void Visit(object? value, List<string> path, HashSet<State> seenStates, HashSet<object> seenModules, Func<State, bool> filter)
    {
        switch (value)
        {
            case null or string or NdArray or StateNode:
                return;
            case State state:
                if (seenStates.Add(state) && filter(state) && path.Count > 0)
                {
                    _paths.Add([.. path]);
                    _byPath.Add(string.Join('/', path), state);
                }

                return;
            case Module module:
                if (!seenModules.Add(module))
                {
                    return;
                }

                foreach (ObjectMember member in ObjectShape.For(module.GetType()).Members)
                {
                    path.Add(member.Key);
                    Visit(member.Get(module), path, seenStates, seenModules, filter);
                    path.RemoveAt(path.Count - 1);
                }

                return;
            case Array array when array.GetType().GetElementType()!.IsPrimitive:
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    path.Add(DictionaryKeys.Of(entry.Key));
                    Visit(entry.Value, path, seenStates, seenModules, filter);
                    path.RemoveAt(path.Count - 1);
                }

                return;
            case IEnumerable sequence:
                int index = 0;
                foreach (object? item in sequence)
                {
                    path.Add((index++).ToString(CultureInfo.InvariantCulture));
                    Visit(item, path, seenStates, seenModules, filter);
                    path.RemoveAt(path.Count - 1);
                }

                return;
        }
    }
}
