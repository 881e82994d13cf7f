using System.Globalization;

namespace BrainTools.Checkpoint;

/// <summary>
/// A physical unit as brainunit defines it: <c>factor * base^scale</c> times a <see cref="Checkpoint.Dimension"/>.
/// A millisecond is dimension <c>s</c>, scale -3, base 10, factor 1; a minute is scale 1, factor 6.
/// The common units are in <see cref="Units"/>; multiply a number by one to get a <see cref="Quantity"/>:
/// <c>10.0 * Units.ms</c>.
/// </summary>
/// <remarks>
/// <para>Equality is brainunit's: two units are equal when their dimension, scale, base and factor are; names
/// do not count (a <c>ms</c> loaded from a file equals <see cref="Units.ms"/>).</para>
/// <para>Display (<see cref="ToString"/>) is brainunit's <c>str(unit)</c>: a named unit shows its display name
/// (<c>ms</c>, <c>mV</c>, <c>mohm</c>, <c>pF</c>); an unnamed one shows its parts, <c>10.0^-3 * s</c>,
/// <c>m^2 kg s^-3 A^-1</c>, <c>6.0 * 10.0^1 * s</c>, or <c>Unit(10.0^-3)</c> when dimensionless.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class Unit : IEquatable<Unit>
{
    /// <summary>Creates a unit.</summary>
    /// <param name="dimension">The physical dimension.</param>
    /// <param name="scale">The power of <paramref name="base"/>: -3 for a milli unit.</param>
    /// <param name="base">The base of <paramref name="scale"/>; 10 for every SI unit.</param>
    /// <param name="factor">A further conversion factor, 1 for SI-prefixed units (6 for a minute of scale 1).</param>
    /// <param name="name">brainunit's full name (<c>msecond</c>), or null for an unnamed unit.</param>
    /// <param name="displayName">The short name shown in displays (<c>ms</c>); defaults to <paramref name="name"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="base"/> or <paramref name="factor"/> is not a finite positive number.</exception>
    public Unit(Dimension dimension, int scale = 0, double @base = 10.0, double factor = 1.0, string? name = null, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        if (!double.IsFinite(@base) || @base <= 0)
        {
            throw new ArgumentException($"The base of a unit must be a finite positive number, got {@base}.", nameof(@base));
        }

        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw new ArgumentException($"The factor of a unit must be a finite positive number, got {factor}.", nameof(factor));
        }

        Dimension = dimension;
        Scale = scale;
        Base = @base;
        Factor = factor;
        Name = name ?? displayName;
        DisplayName = displayName ?? name;
    }

    /// <summary>The physical dimension.</summary>
    public Dimension Dimension { get; }

    /// <summary>The power of <see cref="Base"/>: -3 for ms, -12 for pF.</summary>
    public int Scale { get; }

    /// <summary>The base of <see cref="Scale"/>: 10.</summary>
    public double Base { get; }

    /// <summary>The conversion factor beside the power of ten: 1 for SI-prefixed units.</summary>
    public double Factor { get; }

    /// <summary>brainunit's full name (<c>msecond</c>, <c>mvolt</c>), or null for an unnamed unit.</summary>
    public string? Name { get; }

    /// <summary>The short name (<c>ms</c>, <c>mV</c>), or null for an unnamed unit.</summary>
    public string? DisplayName { get; }

    /// <summary>Whether the unit has a name (the units of <see cref="Units"/> and their products do).</summary>
    public bool IsNamed => DisplayName is not null;

    /// <summary>The size of the unit in SI base units: <c>factor * base^scale</c> (0.001 for ms).</summary>
    public double Magnitude => Factor * Math.Pow(Base, Scale);

    /// <summary>Whether the unit is the plain number 1: dimensionless with scale 0 (brainunit's <c>is_unitless</c>).</summary>
    public bool IsUnitless => Dimension.IsDimensionless && Scale == 0;

    /// <summary>Whether a product or quotient made this unit's name; such names are bracketed inside larger ones.</summary>
    internal bool IsCompound { get; init; }

    /// <summary>A value times a unit: <c>10.0 * Units.ms</c> is 10 ms.</summary>
    public static Quantity operator *(double value, Unit unit) => new(value, unit);

    /// <summary>A unit times a value: <c>Units.ms * 10.0</c> is 10 ms.</summary>
    public static Quantity operator *(Unit unit, double value) => new(value, unit);

    /// <summary>An array of values in a unit (the array is shared, not copied).</summary>
    public static Quantity operator *(NdArray values, Unit unit) => new(values, unit);

    /// <summary>A value divided by a unit: <c>5.0 / Units.ms</c> is 5 in the unit 1/ms.</summary>
    public static Quantity operator /(double value, Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new Quantity(value, unit.Inverse());
    }

    /// <summary>The product of two units, named when it is a standard unit (<c>mV * mS</c> is <c>uA</c>) or both are named.</summary>
    /// <exception cref="ArgumentException">The bases differ.</exception>
    public static Unit operator *(Unit left, Unit right) => Multiply(left, right);

    /// <summary>The quotient of two units, named when it is a standard unit (<c>V / ohm</c> is <c>A</c>) or both are named.</summary>
    /// <exception cref="ArgumentException">The bases differ.</exception>
    public static Unit operator /(Unit left, Unit right) => Divide(left, right);

    /// <summary>Whether two units are equal: same dimension, scale, base and factor.</summary>
    public static bool operator ==(Unit? left, Unit? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether two units differ in dimension, scale, base or factor.</summary>
    public static bool operator !=(Unit? left, Unit? right) => !(left == right);

    /// <summary>The product of two units; see the <c>*</c> operator.</summary>
    public static Unit Multiply(Unit left, Unit right)
    {
        CheckSameBase(left, right);
        return Compose(
            left.Dimension * right.Dimension,
            checked(left.Scale + right.Scale),
            left.Base,
            left.Factor * right.Factor,
            left.IsNamed && right.IsNamed ? $"{left.Name} * {right.Name}" : null,
            left.IsNamed && right.IsNamed ? $"{left.DisplayName} * {right.DisplayName}" : null);
    }

    /// <summary>The quotient of two units; see the <c>/</c> operator.</summary>
    public static Unit Divide(Unit left, Unit right)
    {
        CheckSameBase(left, right);
        bool named = left.IsNamed && right.IsNamed;
        return Compose(
            left.Dimension / right.Dimension,
            checked(left.Scale - right.Scale),
            left.Base,
            left.Factor / right.Factor,
            named ? $"{Bracket(left.Name!, left.IsCompound)} / {Bracket(right.Name!, right.IsCompound)}" : null,
            named ? $"{Bracket(left.DisplayName!, left.IsCompound)}/{Bracket(right.DisplayName!, right.IsCompound)}" : null);
    }

    /// <summary>The unit raised to an integer power: <c>Units.um.Pow(2)</c> is <c>um^2</c>.</summary>
    public Unit Pow(int exponent) => Compose(
        Dimension.Pow(exponent),
        checked(Scale * exponent),
        Base,
        Math.Pow(Factor, exponent),
        IsNamed ? $"{Bracket(Name!, IsCompound)} ** {exponent.ToString(CultureInfo.InvariantCulture)}" : null,
        IsNamed ? $"{Bracket(DisplayName!, IsCompound)}^{exponent.ToString(CultureInfo.InvariantCulture)}" : null);

    /// <summary>One over the unit: <c>Units.s.Inverse()</c> is <c>Hz</c>.</summary>
    public Unit Inverse() => Pow(-1);

    /// <summary>Whether <paramref name="other"/> has the same dimension (so that quantities convert between the two).</summary>
    public bool HasSameDimension(Unit other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Dimension == other.Dimension;
    }

    /// <summary>The same unit without its name, displayed by its parts as brainunit displays a unit it rebuilt from a file (<c>10.0^-3 * s</c>).</summary>
    public Unit WithoutName() => new(Dimension, Scale, Base, Factor);

    /// <inheritdoc />
    public bool Equals(Unit? other) => other is not null
        && Scale == other.Scale
        && Base == other.Base
        && Factor == other.Factor
        && Dimension.Equals(other.Dimension);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Unit);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Dimension, Scale, Base, Factor);

    /// <summary>
    /// brainunit's <c>str(unit)</c>: the display name of a named unit (<c>ms</c>), else the parts:
    /// <c>10.0^-3 * s</c>, <c>m^2 kg s^-3 A^-1</c>, <c>6.0 * 10.0^1 * s</c>, <c>Unit(10.0^-3)</c>.
    /// </summary>
    public override string ToString()
    {
        if (DisplayName is not null)
        {
            return DisplayName;
        }

        string power = $"{PythonFormat.Float(Base)}^{Scale.ToString(CultureInfo.InvariantCulture)}";
        if (Dimension.IsDimensionless)
        {
            return $"Unit({power})";
        }

        string dimension = Dimension.ToString();
        string scaled = Scale == 0 ? dimension : $"{power} * {dimension}";
        return Factor == 1.0 ? scaled : $"{PythonFormat.Float(Factor)} * {scaled}";
    }

    /// <summary>The factor that converts a value in this unit to <paramref name="target"/>: 1000 from s to ms.</summary>
    internal double ConversionFactorTo(Unit target)
    {
        if (Scale == target.Scale && Base == target.Base && Factor == target.Factor)
        {
            return 1.0;
        }

        // Powers of ten of the scale difference are exact where the ratio of two magnitudes may not be (1e-3 / 1e-6).
        return Base == target.Base
            ? Factor / target.Factor * Math.Pow(Base, (double)Scale - target.Scale)
            : Magnitude / target.Magnitude;
    }

    // A standard unit of the same size wins; else the composed name when both parts had one; else unnamed.
    private static Unit Compose(Dimension dimension, int scale, double @base, double factor, string? name, string? displayName)
    {
        Unit? standard = Units.Find(dimension, scale, @base, factor);
        if (standard is not null)
        {
            return standard;
        }

        return name is null || dimension.IsDimensionless
            ? new Unit(dimension, scale, @base, factor)
            : new Unit(dimension, scale, @base, factor, name, displayName) { IsCompound = true };
    }

    private static string Bracket(string name, bool compound) => compound ? $"({name})" : name;

    private static void CheckSameBase(Unit left, Unit right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.Base != right.Base)
        {
            throw new ArgumentException($"Units of different bases cannot be combined: {left} has base {PythonFormat.Float(left.Base)}, {right} base {PythonFormat.Float(right.Base)}.", nameof(right));
        }
    }
}
