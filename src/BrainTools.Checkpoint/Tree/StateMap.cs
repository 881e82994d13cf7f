using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace BrainTools.Checkpoint;

/// <summary>
/// A map node of a state dict: string keys in insertion order (the order they have on the wire), each with a
/// child node. Python dicts load as maps, and so do lists, tuples and namedtuples (keyed <c>"0"</c>, <c>"1"</c>, ...
/// or by field name).
/// </summary>
/// <remarks>Not thread-safe for writes.</remarks>
public sealed class StateMap : StateNode, IDictionary<string, StateNode>, IReadOnlyDictionary<string, StateNode>
{
    private readonly OrderedDictionary<string, StateNode> _items;

    /// <summary>Creates an empty map.</summary>
    public StateMap()
    {
        _items = new OrderedDictionary<string, StateNode>(StringComparer.Ordinal);
    }

    /// <summary>Creates an empty map with room for <paramref name="capacity"/> keys.</summary>
    public StateMap(int capacity)
    {
        _items = new OrderedDictionary<string, StateNode>(capacity, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public override StateNodeKind Kind => StateNodeKind.Map;

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public ICollection<string> Keys => _items.Keys;

    /// <inheritdoc />
    public ICollection<StateNode> Values => _items.Values;

    IEnumerable<string> IReadOnlyDictionary<string, StateNode>.Keys => _items.Keys;

    IEnumerable<StateNode> IReadOnlyDictionary<string, StateNode>.Values => _items.Values;

    bool ICollection<KeyValuePair<string, StateNode>>.IsReadOnly => false;

    /// <summary>Gets the child at <paramref name="key"/>, or sets it (a new key goes last, an existing one keeps its place).</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not there; the message lists the keys that are.</exception>
    public override StateNode this[string key]
    {
        get => _items.TryGetValue(key, out StateNode? value)
            ? value
            : throw new KeyNotFoundException($"Key '{key}' is not in the map; its keys are {PythonKeys()}.");
    }

    StateNode IDictionary<string, StateNode>.this[string key]
    {
        get => this[key];
        set => Set(key, value);
    }

    /// <summary>Sets the child at <paramref name="key"/>; a new key goes last, an existing one keeps its place.</summary>
    /// <returns>This map, for chaining.</returns>
    public StateMap Set(string key, StateNode value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _items[key] = value ?? StateValue.Null;
        return this;
    }

    /// <summary>Adds a key, which must be new; <paramref name="value"/> may be any leaf value or node.</summary>
    /// <exception cref="ArgumentException">The key is already there.</exception>
    public void Add(string key, object? value) => _items.Add(key, From(value));

    /// <inheritdoc />
    public void Add(string key, StateNode value) => _items.Add(key, value ?? StateValue.Null);

    /// <inheritdoc />
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <inheritdoc />
    public bool Remove(string key) => _items.Remove(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StateNode value) => _items.TryGetValue(key, out value);

    /// <summary>The key at position <paramref name="index"/> in insertion order.</summary>
    public KeyValuePair<string, StateNode> GetAt(int index) => _items.GetAt(index);

    /// <inheritdoc />
    public void Clear() => _items.Clear();

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, StateNode>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    void ICollection<KeyValuePair<string, StateNode>>.Add(KeyValuePair<string, StateNode> item) => Add(item.Key, item.Value);

    bool ICollection<KeyValuePair<string, StateNode>>.Contains(KeyValuePair<string, StateNode> item) => ((ICollection<KeyValuePair<string, StateNode>>)_items).Contains(item);

    void ICollection<KeyValuePair<string, StateNode>>.CopyTo(KeyValuePair<string, StateNode>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, StateNode>>)_items).CopyTo(array, arrayIndex);

    bool ICollection<KeyValuePair<string, StateNode>>.Remove(KeyValuePair<string, StateNode> item) => ((ICollection<KeyValuePair<string, StateNode>>)_items).Remove(item);

    /// <inheritdoc />
    public override T GetValue<T>() => this is T self ? self : throw new InvalidCastException($"A map cannot be read as {typeof(T).Name}.");

    /// <inheritdoc />
    public override StateNode Clone()
    {
        var copy = new StateMap(Count);
        foreach (KeyValuePair<string, StateNode> item in _items)
        {
            copy._items.Add(item.Key, item.Value.Clone());
        }

        return copy;
    }

    /// <inheritdoc />
    public override bool DeepEquals(StateNode? other)
    {
        if (other is not StateMap map || map.Count != Count)
        {
            return false;
        }

        for (int i = 0; i < Count; i++)
        {
            KeyValuePair<string, StateNode> mine = _items.GetAt(i);
            KeyValuePair<string, StateNode> theirs = map._items.GetAt(i);
            if (mine.Key != theirs.Key || !mine.Value.DeepEquals(theirs.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python's dict form: <c>{'learning_rate': 0.001, 'batch_size': 32}</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("{");
        foreach (KeyValuePair<string, StateNode> item in _items)
        {
            if (builder.Length > 1)
            {
                builder.Append(", ");
            }

            builder.Append(PythonFormat.String(item.Key)).Append(": ").Append(item.Value.ToString());
        }

        return builder.Append('}').ToString();
    }

    internal override string Describe() => $"a map of {Count} {(Count == 1 ? "key" : "keys")}";

    private string PythonKeys() => "{" + string.Join(", ", _items.Keys.Select(PythonFormat.String)) + "}";
}
