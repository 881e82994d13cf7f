using System.Globalization;

namespace BrainTools.Checkpoint;

/// <summary>
/// A physical quantity as brainunit's <c>Quantity</c>: a mantissa (a number, or an <see cref="NdArray"/>) in a
/// <see cref="Checkpoint.Unit"/>. <c>10.0 * Units.ms</c> has mantissa 10 and unit ms and displays as <c>10 ms</c>.
/// Saved in a checkpoint as brainunit saves it: the map <c>{mantissa, scale, base, dim, factor}</c>
/// (<see cref="ToStateDict"/>, <see cref="FromStateDict"/>).
/// </summary>
/// <remarks>
/// <para>Arithmetic: <c>+</c> and <c>-</c> take quantities of the same dimension and give the left operand's unit
/// (<c>1 * ms + 1 * s</c> is <c>1001 ms</c>); <c>*</c> and <c>/</c> take numbers, units and quantities; comparisons
/// take scalar quantities of the same dimension. Array mantissas combine element-wise with scalars and with arrays
/// of the same shape; a float32 array stays float32, as in JAX.</para>
/// <para>Equality (<see cref="Equals(Quantity?)"/>, <c>==</c>) is exact: equal units and equal mantissas, so that a
/// restored quantity equals the one saved. <c>10 ms</c> and <c>0.01 s</c> are not equal but compare as equal
/// with <see cref="CompareTo(Quantity?)"/>.</para>
/// <para>Immutable (an array mantissa is shared, not copied, and its elements can change) and thread-safe.</para>
/// </remarks>
public sealed partial class Quantity : IEquatable<Quantity>, IComparable<Quantity>, IFormattable
{
    private readonly double _scalar;
    private readonly NdArray? _array;

    /// <summary>Creates a scalar quantity: <c>new Quantity(10, Units.ms)</c>, as <c>10.0 * Units.ms</c>.</summary>
    public Quantity(double mantissa, Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        _scalar = mantissa;
        Unit = unit;
    }

    /// <summary>Creates an array quantity; the array is shared, not copied.</summary>
    public Quantity(NdArray mantissa, Unit unit)
    {
        ArgumentNullException.ThrowIfNull(mantissa);
        ArgumentNullException.ThrowIfNull(unit);
        _array = mantissa;
        Unit = unit;
    }

    /// <summary>The unit.</summary>
    public Unit Unit { get; }

    /// <summary>The unit's dimension.</summary>
    public Dimension Dimension => Unit.Dimension;

    /// <summary>Whether the mantissa is a number (else it is an array, <see cref="MantissaArray"/>).</summary>
    public bool IsScalar => _array is null;

    /// <summary>The mantissa of a scalar quantity: 10 for <c>10 ms</c>.</summary>
    /// <exception cref="InvalidOperationException">The quantity holds an array; read <see cref="MantissaArray"/>.</exception>
    public double Mantissa => _array is null
        ? _scalar
        : throw new InvalidOperationException($"The quantity holds an array of shape {_array.Shape}; read MantissaArray.");

    /// <summary>The mantissa of an array quantity, or null for a scalar one.</summary>
    public NdArray? MantissaArray => _array;

    /// <summary>The shape of the mantissa: <c>()</c> for a scalar.</summary>
    public Shape Shape => _array?.Shape ?? Shape.Scalar;

    /// <summary>
    /// The same quantity in another unit of the same dimension: <c>(10.0 * Units.ms).To(Units.s)</c> is <c>0.01 s</c>.
    /// The mantissa is unchanged (not recomputed) when the two units have the same size.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="unit"/> has another dimension.</exception>
    public Quantity To(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (!Unit.HasSameDimension(unit))
        {
            throw new ArgumentException($"Cannot convert {this} to {unit}: the dimensions {Unit.Dimension} and {unit.Dimension} differ.", nameof(unit));
        }

        double ratio = Unit.ConversionFactorTo(unit);
        if (ratio == 1.0)
        {
            return _array is null ? new Quantity(_scalar, unit) : new Quantity(_array, unit);
        }

        return _array is null
            ? new Quantity(_scalar * ratio, unit)
            : new Quantity(MantissaMath.WithScalar(_array, ratio, static (x, r) => x * r), unit);
    }

    /// <summary>The value of a scalar quantity as a number in <paramref name="unit"/>: <c>(10.0 * Units.ms).ToDecimal(Units.s)</c> is 0.01.</summary>
    /// <exception cref="ArgumentException"><paramref name="unit"/> has another dimension.</exception>
    /// <exception cref="InvalidOperationException">The quantity holds an array; use <c>To(unit).MantissaArray</c>.</exception>
    public double ToDecimal(Unit unit)
    {
        if (_array is not null)
        {
            throw new InvalidOperationException($"The quantity holds an array of shape {_array.Shape}; use To(unit).MantissaArray.");
        }

        return To(unit)._scalar;
    }

    /// <summary>
    /// Compares two scalar quantities of the same dimension by value, converting <paramref name="other"/> to this
    /// quantity's unit: <c>10 ms</c> and <c>0.01 s</c> compare as equal. Null is smaller than any quantity.
    /// </summary>
    /// <exception cref="ArgumentException">The dimensions differ, or a mantissa is an array.</exception>
    public int CompareTo(Quantity? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (_array is not null || other._array is not null)
        {
            throw new ArgumentException("Only scalar quantities can be compared; compare array mantissas element by element.", nameof(other));
        }

        if (!Unit.HasSameDimension(other.Unit))
        {
            throw new ArgumentException($"Cannot compare {this} with {other}: the dimensions {Unit.Dimension} and {other.Unit.Dimension} differ.", nameof(other));
        }

        return _scalar.CompareTo(other._scalar * other.Unit.ConversionFactorTo(Unit));
    }

    /// <summary>Whether the units are equal (dimension, scale, base, factor) and the mantissas are equal (arrays: same dtype, shape and elements).</summary>
    public bool Equals(Quantity? other) => other is not null
        && Unit.Equals(other.Unit)
        && (_array is null ? other._array is null && _scalar.Equals(other._scalar) : _array.Equals(other._array));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Quantity);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Unit, _array is null ? _scalar.GetHashCode() : _array.GetHashCode());

    /// <summary>
    /// The mantissa and the unit's display: <c>10 ms</c>, <c>-50 mV</c>, <c>0.5 10.0^-3 * s</c> for an unnamed unit,
    /// <c>array([1.0, 2.0], dtype=float32) mV</c> for an array, and the bare number for a unitless quantity.
    /// </summary>
    public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

    /// <summary>
    /// As <see cref="ToString()"/>, with the scalar mantissa formatted by <paramref name="format"/>
    /// (<c>"F2"</c> gives <c>10.00 ms</c>); null keeps the shortest form that reads back exactly (<c>10</c>, <c>0.001</c>, <c>1e-05</c>).
    /// </summary>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        string mantissa = _array is not null ? _array.ToString()
            : format is null ? PythonFormat.Number(_scalar)
            : _scalar.ToString(format, formatProvider ?? CultureInfo.InvariantCulture);
        return Unit.IsUnitless && Unit.Factor == 1.0 ? mantissa : $"{mantissa} {Unit}";
    }
}
