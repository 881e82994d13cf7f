namespace BrainTools.Checkpoint;

public sealed partial class Quantity
{
    /// <summary>The sum, in the left operand's unit; the right operand is converted.</summary>
    /// <exception cref="ArgumentException">The dimensions differ, or array shapes differ.</exception>
    public static Quantity operator +(Quantity left, Quantity right) => Add(left, right);

    /// <summary>The difference, in the left operand's unit; the right operand is converted.</summary>
    /// <exception cref="ArgumentException">The dimensions differ, or array shapes differ.</exception>
    public static Quantity operator -(Quantity left, Quantity right) => Subtract(left, right);

    /// <summary>The negated quantity.</summary>
    public static Quantity operator -(Quantity value) => Negate(value);

    /// <summary>The product of two quantities, in the product of their units.</summary>
    public static Quantity operator *(Quantity left, Quantity right) => Multiply(left, right);

    /// <summary>The quotient of two quantities, in the quotient of their units.</summary>
    public static Quantity operator /(Quantity left, Quantity right) => Divide(left, right);

    /// <summary>The quantity scaled by a number.</summary>
    public static Quantity operator *(Quantity left, double right) => Scale(left, right, static (x, k) => x * k, scalarFirst: false);

    /// <summary>The quantity scaled by a number.</summary>
    public static Quantity operator *(double left, Quantity right) => Scale(right, left, static (k, x) => k * x, scalarFirst: true);

    /// <summary>The quantity divided by a number.</summary>
    public static Quantity operator /(Quantity left, double right) => Scale(left, right, static (x, k) => x / k, scalarFirst: false);

    /// <summary>A number divided by the quantity, in the inverse unit.</summary>
    public static Quantity operator /(double left, Quantity right)
    {
        ArgumentNullException.ThrowIfNull(right);
        Quantity inverse = Scale(right, left, static (k, x) => k / x, scalarFirst: true);
        return inverse.WithUnit(right.Unit.Inverse());
    }

    /// <summary>The quantity in the product of its unit and <paramref name="right"/>: <c>(2.0 * Units.mV) * Units.mS</c> is <c>2 uA</c>.</summary>
    public static Quantity operator *(Quantity left, Unit right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.WithUnit(left.Unit * right);
    }

    /// <summary>The quantity in the quotient of its unit and <paramref name="right"/>.</summary>
    public static Quantity operator /(Quantity left, Unit right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.WithUnit(left.Unit / right);
    }

    /// <summary>Whether the units and mantissas are equal (see <see cref="Equals(Quantity?)"/>).</summary>
    public static bool operator ==(Quantity? left, Quantity? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether the units or mantissas differ.</summary>
    public static bool operator !=(Quantity? left, Quantity? right) => !(left == right);

    /// <summary>Whether <paramref name="left"/> is smaller, converting units (see <see cref="CompareTo(Quantity?)"/>).</summary>
    public static bool operator <(Quantity left, Quantity right) => Compare(left, right) < 0;

    /// <summary>Whether <paramref name="left"/> is larger, converting units.</summary>
    public static bool operator >(Quantity left, Quantity right) => Compare(left, right) > 0;

    /// <summary>Whether <paramref name="left"/> is smaller or the same value, converting units.</summary>
    public static bool operator <=(Quantity left, Quantity right) => Compare(left, right) <= 0;

    /// <summary>Whether <paramref name="left"/> is larger or the same value, converting units.</summary>
    public static bool operator >=(Quantity left, Quantity right) => Compare(left, right) >= 0;

    /// <summary>The sum; see the <c>+</c> operator.</summary>
    public static Quantity Add(Quantity left, Quantity right) => Combine(left, right, static (x, y) => x + y, "add");

    /// <summary>The difference; see the <c>-</c> operator.</summary>
    public static Quantity Subtract(Quantity left, Quantity right) => Combine(left, right, static (x, y) => x - y, "subtract");

    /// <summary>The negated quantity.</summary>
    public static Quantity Negate(Quantity value) => Scale(value, -1.0, static (x, k) => x * k, scalarFirst: false);

    /// <summary>The product; see the <c>*</c> operator.</summary>
    public static Quantity Multiply(Quantity left, Quantity right) => Product(left, right, Unit.Multiply, static (x, y) => x * y);

    /// <summary>The quotient; see the <c>/</c> operator.</summary>
    public static Quantity Divide(Quantity left, Quantity right) => Product(left, right, Unit.Divide, static (x, y) => x / y);

    private static int Compare(Quantity left, Quantity right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return left.CompareTo(right);
    }

    private Quantity WithUnit(Unit unit) => _array is null ? new Quantity(_scalar, unit) : new Quantity(_array, unit);

    private static Quantity Scale(Quantity quantity, double scalar, Func<double, double, double> operation, bool scalarFirst)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        if (quantity._array is null)
        {
            return new Quantity(scalarFirst ? operation(scalar, quantity._scalar) : operation(quantity._scalar, scalar), quantity.Unit);
        }

        return new Quantity(MantissaMath.WithScalar(quantity._array, scalar, operation, scalarFirst), quantity.Unit);
    }

    private static Quantity Combine(Quantity left, Quantity right, Func<double, double, double> operation, string verb)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (!left.Unit.HasSameDimension(right.Unit))
        {
            throw new ArgumentException(
                $"Unit mismatch: cannot {verb} {right} and {left}; the units {right.Unit} and {left.Unit} have different dimensions ({right.Unit.Dimension} and {left.Unit.Dimension}).",
                nameof(right));
        }

        Quantity aligned = right.To(left.Unit);
        return MantissaOperation(left, aligned, left.Unit, operation);
    }

    private static Quantity Product(Quantity left, Quantity right, Func<Unit, Unit, Unit> units, Func<double, double, double> operation)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return MantissaOperation(left, right, units(left.Unit, right.Unit), operation);
    }

    private static Quantity MantissaOperation(Quantity left, Quantity right, Unit unit, Func<double, double, double> operation)
    {
        if (left._array is null && right._array is null)
        {
            return new Quantity(operation(left._scalar, right._scalar), unit);
        }

        NdArray result = left._array is null ? MantissaMath.WithScalar(right._array!, left._scalar, operation, scalarFirst: true)
            : right._array is null ? MantissaMath.WithScalar(left._array, right._scalar, operation)
            : MantissaMath.Elementwise(left._array, right._array, operation);
        return new Quantity(result, unit);
    }
}
