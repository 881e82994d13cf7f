using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace BrainTools.Checkpoint;

/// <summary>
/// The physical dimension of a unit, as brainunit's <c>Dimension</c>: the exponents of the 7 SI base units in the
/// order metre, kilogram, second, ampere, kelvin, mole, candela. A volt is <c>m^2 kg s^-3 A^-1</c>.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe. Exponents are doubles, since brainunit allows fractional ones
/// (<c>unit ** 0.5</c>); integral exponents are saved as int64, as current brainunit does.</para>
/// <para>Equality compares the exponents exactly (brainunit uses <c>np.allclose</c>; exponents built from
/// integers and halves are exact either way).</para>
/// </remarks>
public sealed class Dimension : IEquatable<Dimension>
{
    /// <summary>Number of SI base dimensions.</summary>
    public const int Count = 7;

    private static readonly string[] Labels = ["m", "kg", "s", "A", "K", "mol", "cd"];

    private readonly double[] _exponents;

    /// <summary>Creates a dimension from its exponents; name only the ones that are not zero: <c>new Dimension(second: 1)</c>.</summary>
    /// <exception cref="ArgumentException">An exponent is not finite.</exception>
    public Dimension(double metre = 0, double kilogram = 0, double second = 0, double ampere = 0, double kelvin = 0, double mole = 0, double candela = 0)
        : this([metre, kilogram, second, ampere, kelvin, mole, candela])
    {
    }

    private Dimension(double[] exponents)
    {
        foreach (double exponent in exponents)
        {
            if (!double.IsFinite(exponent))
            {
                throw new ArgumentException($"Dimension exponents must be finite, got {exponent}.", nameof(exponents));
            }
        }

        _exponents = exponents;
    }

    /// <summary>The dimension of pure numbers: all exponents zero (brainunit's <c>DIMENSIONLESS</c>).</summary>
    public static Dimension Dimensionless { get; } = new();

    /// <summary>The exponent of length (metre).</summary>
    public double Metre => _exponents[0];

    /// <summary>The exponent of mass (kilogram).</summary>
    public double Kilogram => _exponents[1];

    /// <summary>The exponent of time (second).</summary>
    public double Second => _exponents[2];

    /// <summary>The exponent of electric current (ampere).</summary>
    public double Ampere => _exponents[3];

    /// <summary>The exponent of temperature (kelvin).</summary>
    public double Kelvin => _exponents[4];

    /// <summary>The exponent of amount of substance (mole).</summary>
    public double Mole => _exponents[5];

    /// <summary>The exponent of luminous intensity (candela).</summary>
    public double Candela => _exponents[6];

    /// <summary>The 7 exponents in SI order.</summary>
    public ReadOnlySpan<double> Exponents => _exponents;

    /// <summary>Whether all exponents are zero.</summary>
    public bool IsDimensionless => _exponents.All(e => e == 0);

    /// <summary>The exponent at <paramref name="index"/> (0 = metre ... 6 = candela).</summary>
    public double this[int index] => _exponents[index];

    /// <summary>Creates a dimension from exactly 7 exponents in SI order.</summary>
    /// <exception cref="ArgumentException">There are not 7 exponents, or one is not finite.</exception>
    public static Dimension FromExponents(ReadOnlySpan<double> exponents) => exponents.Length == Count
        ? new Dimension(exponents.ToArray())
        : throw new ArgumentException($"A dimension has {Count} exponents, got {exponents.Length}.", nameof(exponents));

    /// <summary>
    /// Reads the <c>dim</c> array of a saved quantity: shape <c>(7,)</c>, int64 as current brainunit writes it,
    /// float64 as older versions did, or any other integer or float dtype.
    /// </summary>
    /// <exception cref="ArgumentException">The array is not 7 real numbers, or one is not finite.</exception>
    public static Dimension FromArray(NdArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return TryFromArray(array, out Dimension? dimension, out string? error) ? dimension : throw new ArgumentException(error, nameof(array));
    }

    /// <summary>As <see cref="FromArray"/>, reporting what is wrong instead of throwing.</summary>
    internal static bool TryFromArray(NdArray array, [NotNullWhen(true)] out Dimension? dimension, [NotNullWhen(false)] out string? error)
    {
        dimension = null;
        if (array.Rank != 1 || array.Length != Count)
        {
            error = $"a dimension is an array of shape ({Count},), got shape {array.Shape}";
            return false;
        }

        if (array.DType.Kind is not (DTypeKind.SignedInteger or DTypeKind.UnsignedInteger or DTypeKind.Float))
        {
            error = $"a dimension holds integers or floats, got {array.DType}";
            return false;
        }

        var exponents = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            exponents[i] = ElementFormat.ToDouble(array.DType, array.GetBytes(i * (long)array.DType.ItemSize, array.DType.ItemSize));
            if (!double.IsFinite(exponents[i]))
            {
                error = $"dimension exponents must be finite, got {PythonFormat.Float(exponents[i])}";
                return false;
            }
        }

        dimension = new Dimension(exponents);
        error = null;
        return true;
    }

    /// <summary>
    /// The exponents as the array brainunit saves: int64 of shape <c>(7,)</c> when all are integers (as current
    /// brainunit writes), float64 otherwise.
    /// </summary>
    public NdArray ToArray()
    {
        if (_exponents.All(e => e == Math.Floor(e) && Math.Abs(e) < 1e15))
        {
            return NdArray.Create<long>(_exponents.Select(e => (long)e).ToArray());
        }

        return NdArray.Create<double>(_exponents);
    }

    /// <summary>The dimension of a product: exponents add.</summary>
    public static Dimension operator *(Dimension left, Dimension right) => Multiply(left, right);

    /// <summary>The dimension of a quotient: exponents subtract.</summary>
    public static Dimension operator /(Dimension left, Dimension right) => Divide(left, right);

    /// <summary>Whether two dimensions are equal.</summary>
    public static bool operator ==(Dimension? left, Dimension? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether two dimensions differ.</summary>
    public static bool operator !=(Dimension? left, Dimension? right) => !(left == right);

    /// <summary>The dimension of a product: exponents add.</summary>
    public static Dimension Multiply(Dimension left, Dimension right) => Combine(left, right, 1);

    /// <summary>The dimension of a quotient: exponents subtract.</summary>
    public static Dimension Divide(Dimension left, Dimension right) => Combine(left, right, -1);

    /// <summary>The dimension raised to a power: exponents multiply.</summary>
    public Dimension Pow(double exponent) => new(_exponents.Select(e => e * exponent).ToArray());

    /// <inheritdoc />
    public bool Equals(Dimension? other)
    {
        if (other is null)
        {
            return false;
        }

        for (int i = 0; i < Count; i++)
        {
            if (_exponents[i] != other._exponents[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Dimension);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (double e in _exponents)
        {
            // +0.0 for -0.0, so that equal dimensions hash alike.
            hash.Add(e == 0 ? 0.0 : e);
        }

        return hash.ToHashCode();
    }

    /// <summary>brainunit's display: <c>m^2 kg s^-3 A^-1</c>, or <c>1</c> when dimensionless.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        for (int i = 0; i < Count; i++)
        {
            double e = _exponents[i];
            if (e == 0)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Labels[i]);
            if (e != 1)
            {
                builder.Append('^').Append(FormatExponent(e));
            }
        }

        return builder.Length == 0 ? "1" : builder.ToString();
    }

    private static string FormatExponent(double e) => e == Math.Floor(e) && Math.Abs(e) < 1e15
        ? ((long)e).ToString(CultureInfo.InvariantCulture)
        : PythonFormat.Float(e);

    private static Dimension Combine(Dimension left, Dimension right, int sign)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var exponents = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            exponents[i] = left._exponents[i] + (sign * right._exponents[i]);
        }

        return new Dimension(exponents);
    }
}
