using System.Collections;
using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint;

/// <summary>
/// The dimensions of an n-d array, printed as Python prints a shape tuple: <c>(2, 2)</c>, <c>(3,)</c>, <c>()</c>.
/// Immutable; equality is by value, so <c>array.Shape == new Shape(2, 2)</c> works.
/// </summary>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<long>
{
    private readonly long[]? _dimensions;

    /// <summary>Creates a shape; every dimension must be zero or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public Shape(params ReadOnlySpan<long> dimensions)
    {
        foreach (long d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dimensions));
        }

        _dimensions = dimensions.Length == 0 ? null : dimensions.ToArray();
    }

    /// <summary>Creates a shape from <c>int</c> dimensions.</summary>
    public Shape(params ReadOnlySpan<int> dimensions)
        : this(Widen(dimensions))
    {
    }

    /// <summary>The 0-d shape <c>()</c> of a scalar array.</summary>
    public static Shape Scalar => default;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dimensions?.Length ?? 0;

    /// <inheritdoc />
    public int Count => Rank;

    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<long> Dimensions => _dimensions;

    /// <summary>Number of elements: the product of the dimensions (1 for a 0-d shape).</summary>
    /// <exception cref="OverflowException">The product does not fit in 63 bits.</exception>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long d in Dimensions)
            {
                count = checked(count * d);
            }

            return count;
        }
    }

    /// <inheritdoc />
    public long this[int index] => Dimensions[index];

    /// <summary>Builds a shape from a collection expression: <c>Shape s = [2, 3];</c>.</summary>
    public static Shape Create(ReadOnlySpan<long> dimensions) => new(dimensions);

    /// <inheritdoc />
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <inheritdoc />
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>The element count, or an error when it overflows: used where input is untrusted.</summary>
    internal static bool TryGetElementCount(ReadOnlySpan<long> dimensions, out long count)
    {
        count = 1;
        foreach (long d in dimensions)
        {
            if (d < 0 || (d != 0 && count > long.MaxValue / d))
            {
                return false;
            }

            count *= d;
        }

        return true;
    }

    /// <inheritdoc />
    public bool Equals(Shape other) => Dimensions.SequenceEqual(other.Dimensions);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (long d in Dimensions)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>Python's tuple form: <c>(2, 2)</c>, <c>(3,)</c>, <c>()</c>.</summary>
    public override string ToString() => Rank switch
    {
        0 => "()",
        1 => $"({Dimensions[0]},)",
        _ => $"({string.Join(", ", _dimensions!)})",
    };

    /// <inheritdoc />
    public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)(_dimensions ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static long[] Widen(ReadOnlySpan<int> dimensions)
    {
        var wide = new long[dimensions.Length];
        for (int i = 0; i < dimensions.Length; i++)
        {
            wide[i] = dimensions[i];
        }

        return wide;
    }
}
