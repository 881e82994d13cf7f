using System.Globalization;
using System.Numerics;

namespace BrainTools.Checkpoint;

/// <summary>
/// A leaf of a state dict: <c>null</c> (None), <see cref="bool"/>, <see cref="long"/> or <see cref="ulong"/> (int),
/// <see cref="double"/> (float), <see cref="Complex"/>, <see cref="string"/>, <c>byte[]</c>, <see cref="NdArray"/>,
/// <see cref="NumpyScalar"/> or <see cref="ExtensionValue"/>. Immutable (an array's elements are not).
/// </summary>
public sealed class StateValue : StateNode
{
    /// <summary>Creates a leaf. Smaller .NET integers widen to <c>long</c> and <c>float</c> to <c>double</c>.</summary>
    /// <exception cref="ArgumentException">The value is none of the leaf types.</exception>
    public StateValue(object? value)
    {
        (Kind, Value) = value switch
        {
            null => (StateNodeKind.Nil, (object?)null),
            bool => (StateNodeKind.Bool, value),
            long => (StateNodeKind.Int, value),
            ulong u => (StateNodeKind.Int, u <= long.MaxValue ? (long)u : value),
            int or short or sbyte or byte or ushort or uint => (StateNodeKind.Int, Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            double => (StateNodeKind.Float, value),
            float f => (StateNodeKind.Float, (double)f),
            Complex => (StateNodeKind.Complex, value),
            string => (StateNodeKind.String, value),
            byte[] => (StateNodeKind.Bytes, value),
            NdArray => (StateNodeKind.NdArray, value),
            NumpyScalar => (StateNodeKind.NumpyScalar, value),
            ExtensionValue => (StateNodeKind.Extension, value),
            StateNode => throw new ArgumentException("A StateNode cannot be the value of a leaf; use it as a node.", nameof(value)),
            _ => throw new ArgumentException($"A state dict leaf cannot hold a {value.GetType()}.", nameof(value)),
        };
    }

    /// <summary>The None leaf.</summary>
    public static StateValue Null { get; } = new(null);

    /// <inheritdoc />
    public override StateNodeKind Kind { get; }

    /// <summary>The value, of the type <see cref="Kind"/> names.</summary>
    public object? Value { get; }

    /// <inheritdoc />
    public override T GetValue<T>()
    {
        if (Value is T exact)
        {
            return exact;
        }

        if (Value is null && default(T) is null)
        {
            return default!;
        }

        object? converted = Kind switch
        {
            StateNodeKind.Int or StateNodeKind.Float or StateNodeKind.Bool => ConvertNumber(Value!, typeof(T)),
            StateNodeKind.NumpyScalar => ConvertNumpyScalar((NumpyScalar)Value!, typeof(T)),
            _ => null,
        };
        return converted is T result
            ? result
            : throw new InvalidCastException($"{Describe()} cannot be read as {typeof(T).Name}.");
    }

    /// <inheritdoc />
    public override StateNode Clone() => this;

    /// <inheritdoc />
    public override bool DeepEquals(StateNode? other)
    {
        if (other is not StateValue leaf || leaf.Kind != Kind)
        {
            return false;
        }

        return Value switch
        {
            null => true,
            double d => BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)leaf.Value!),
            Complex c => BitConverter.DoubleToInt64Bits(c.Real) == BitConverter.DoubleToInt64Bits(((Complex)leaf.Value!).Real)
                && BitConverter.DoubleToInt64Bits(c.Imaginary) == BitConverter.DoubleToInt64Bits(((Complex)leaf.Value!).Imaginary),
            byte[] b => b.AsSpan().SequenceEqual((byte[])leaf.Value!),
            _ => Value.Equals(leaf.Value),
        };
    }

    /// <summary>Python's repr of the value: <c>None</c>, <c>True</c>, <c>32</c>, <c>0.001</c>, <c>'relu'</c>, <c>array(...)</c>.</summary>
    public override string ToString() => Value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => PythonFormat.Float(d),
        Complex c => PythonFormat.Complex(c.Real, c.Imaginary),
        string s => PythonFormat.String(s),
        byte[] bytes => PythonFormat.Bytes(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    internal override string Describe() => Kind switch
    {
        StateNodeKind.NdArray => $"an ndarray ({((NdArray)Value!).DType}, shape {((NdArray)Value!).Shape})",
        StateNodeKind.NumpyScalar => $"a numpy scalar ({((NumpyScalar)Value!).DType} {Value})",
        StateNodeKind.Nil => "None",
        StateNodeKind.Int => $"an int ({this})",
        _ => $"a {Kind.ToString().ToLowerInvariant()} ({Truncate(ToString())})",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static object? ConvertNumber(object value, Type target)
    {
        try
        {
            if (value is double d)
            {
                // A Python float converts to a float type only: reading 0.5 as an int would lose data.
                return target == typeof(double) ? d
                    : target == typeof(float) ? (float)d
                    : target == typeof(Half) ? (Half)d
                    : target == typeof(decimal) ? (decimal)d
                    : target == typeof(Complex) ? new Complex(d, 0)
                    : null;
            }

            // A Python int is not a bool (nor a char): Convert.ChangeType would turn -5 into true.
            if (value is bool || target == typeof(bool) || target == typeof(char))
            {
                return null;
            }

            if (target == typeof(Complex))
            {
                return new Complex(Convert.ToDouble(value, CultureInfo.InvariantCulture), 0);
            }

            if (target == typeof(Half))
            {
                return (Half)Convert.ToDouble(value, CultureInfo.InvariantCulture);
            }

            if (target == typeof(Int128))
            {
                return value is ulong u ? (Int128)u : (Int128)(long)value;
            }

            if (target == typeof(BigInteger))
            {
                return value is ulong u2 ? new BigInteger(u2) : new BigInteger((long)value);
            }

            return target.IsPrimitive || target == typeof(decimal) ? Convert.ChangeType(value, target, CultureInfo.InvariantCulture) : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static object? ConvertNumpyScalar(NumpyScalar scalar, Type target)
    {
        if (target == scalar.DType.ClrType)
        {
            return typeof(NumpyScalar).GetMethod(nameof(NumpyScalar.GetValue))!.MakeGenericMethod(target).Invoke(scalar, null);
        }

        if (scalar.DType.Kind == DTypeKind.Complex)
        {
            return target == typeof(Complex) ? scalar.ToComplex() : null;
        }

        double value = scalar.ToDouble();
        if (scalar.DType.Kind == DTypeKind.Float)
        {
            return ConvertNumber(value, target);
        }

        if (scalar.DType.Kind == DTypeKind.Bool)
        {
            return target == typeof(bool) ? value != 0 : null;
        }

        object integer = scalar.DType == DType.UInt64 ? scalar.GetValue<ulong>() : scalar.DType == DType.Int64 ? scalar.GetValue<long>() : (long)value;
        return ConvertNumber(integer, target);
    }
}
