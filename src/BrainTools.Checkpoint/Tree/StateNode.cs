using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace BrainTools.Checkpoint;

/// <summary>
/// A node of a raw state dict, the tree <see cref="Msgpack.Load(string, MsgpackOptions?)"/> returns: a
/// <see cref="StateMap"/> or a <see cref="StateValue"/> leaf. Index maps with <c>node["key"]</c> (and lists, which
/// are maps keyed <c>"0"</c>, <c>"1"</c>, ..., with <c>node[0]</c>); read leaves with explicit casts
/// (<c>(long)node["step"]</c>), <see cref="GetValue{T}"/> or <see cref="AsArray"/>.
/// </summary>
/// <remarks><see cref="object.ToString"/> prints the node as Python prints the same state dict.</remarks>
public abstract class StateNode
{
    private protected StateNode()
    {
    }

    /// <summary>What the node holds.</summary>
    public abstract StateNodeKind Kind { get; }

    /// <summary>The child with key <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The node is a map without the key.</exception>
    /// <exception cref="InvalidOperationException">The node is not a map.</exception>
    public virtual StateNode this[string key] => throw new InvalidOperationException($"A {Kind} node has no keys (looking for '{key}').");

    /// <summary>The element <paramref name="index"/> of a list saved as a map keyed <c>"0"</c>, <c>"1"</c>, ...</summary>
    public StateNode this[int index] => this[index.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>Wraps a value as a leaf; a <see cref="StateNode"/> is returned as it is.</summary>
    /// <exception cref="ArgumentException">The value is not one of the leaf types of <see cref="StateNodeKind"/>.</exception>
    public static StateNode From(object? value) => value as StateNode ?? new StateValue(value);

    /// <summary>The map this node is.</summary>
    /// <exception cref="InvalidOperationException">The node is not a map.</exception>
    public StateMap AsMap() => this as StateMap ?? throw new InvalidOperationException($"Expected a map, found {Describe()}.");

    /// <summary>The array this leaf holds.</summary>
    /// <exception cref="InvalidOperationException">The node is not an array leaf.</exception>
    public NdArray AsArray() => (this as StateValue)?.Value as NdArray ?? throw new InvalidOperationException($"Expected an ndarray, found {Describe()}.");

    /// <summary>Whether the node is a map.</summary>
    public bool TryGetMap([NotNullWhen(true)] out StateMap? map) => (map = this as StateMap) is not null;

    /// <summary>
    /// The leaf's value as <typeparamref name="T"/>. Numbers convert to any .NET numeric type when the value fits
    /// (a Python int to <c>int</c>, a float to <c>float</c>, a numpy scalar to its type); anything else must match.
    /// </summary>
    /// <exception cref="InvalidCastException">The value is not a <typeparamref name="T"/> and does not convert to one exactly.</exception>
    public abstract T GetValue<T>();

    /// <summary>A Python int as <c>long</c>.</summary>
    public static explicit operator long(StateNode node) => Require(node).GetValue<long>();

    /// <summary>A Python int as <c>int</c>.</summary>
    public static explicit operator int(StateNode node) => Require(node).GetValue<int>();

    /// <summary>A Python int above <see cref="long.MaxValue"/> (or any non-negative int) as <c>ulong</c>.</summary>
    public static explicit operator ulong(StateNode node) => Require(node).GetValue<ulong>();

    /// <summary>A Python float (or int) as <c>double</c>.</summary>
    public static explicit operator double(StateNode node) => Require(node).GetValue<double>();

    /// <summary>A Python float as <c>float</c>.</summary>
    public static explicit operator float(StateNode node) => Require(node).GetValue<float>();

    /// <summary>A Python bool.</summary>
    public static explicit operator bool(StateNode node) => Require(node).GetValue<bool>();

    /// <summary>A Python str (null for None).</summary>
    public static explicit operator string?(StateNode node) => Require(node).GetValue<string?>();

    /// <summary>A Python complex.</summary>
    public static explicit operator Complex(StateNode node) => Require(node).GetValue<Complex>();

    /// <summary>An array leaf.</summary>
    public static explicit operator NdArray(StateNode node) => Require(node).AsArray();

    /// <summary>A leaf holding an int.</summary>
    public static implicit operator StateNode(long value) => new StateValue(value);

    /// <summary>A leaf holding a float.</summary>
    public static implicit operator StateNode(double value) => new StateValue(value);

    /// <summary>A leaf holding a bool.</summary>
    public static implicit operator StateNode(bool value) => new StateValue(value);

    /// <summary>A leaf holding a string.</summary>
    public static implicit operator StateNode(string? value) => new StateValue(value);

    /// <summary>A leaf holding an array.</summary>
    public static implicit operator StateNode(NdArray value) => new StateValue(value);

    /// <summary>A deep copy of the tree (arrays are shared, not copied).</summary>
    public abstract StateNode Clone();

    /// <summary>Whether two trees are equal: same keys in the same order, leaves equal by kind and value (floats by bits).</summary>
    public abstract bool DeepEquals(StateNode? other);

    /// <summary>A short description for error messages: <c>a map of 3 keys</c>, <c>an int (32)</c>.</summary>
    internal abstract string Describe();

    private static StateNode Require(StateNode node) => node ?? throw new ArgumentNullException(nameof(node));
}
