using System.Globalization;
using System.Text;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// The unit of a brainunit quantity as saved: the map <c>{mantissa, scale, base, dim, factor}</c>, where the value is
/// <c>mantissa * base^scale * factor</c> in the SI unit whose exponents (m, kg, s, A, K, mol, cd) are <c>dim</c>.
/// </summary>
/// <remarks>
/// Decoded here for display only, so the tool does not depend on the library's Units types; two units are equal
/// when dim, scale, base and factor are (as brainunit compares them).
/// </remarks>
internal sealed class QuantityUnit : IEquatable<QuantityUnit>
{
    private static readonly string[] BaseSymbols = ["m", "kg", "s", "A", "K", "mol", "cd"];

    // Derived SI units with a symbol, by their exponents of (m, kg, s, A, K, mol, cd); the first match is used.
    private static readonly (string Symbol, double[] Dim)[] Named =
    [
        ("Hz", [0, 0, -1, 0, 0, 0, 0]),
        ("N", [1, 1, -2, 0, 0, 0, 0]),
        ("Pa", [-1, 1, -2, 0, 0, 0, 0]),
        ("J", [2, 1, -2, 0, 0, 0, 0]),
        ("W", [2, 1, -3, 0, 0, 0, 0]),
        ("C", [0, 0, 1, 1, 0, 0, 0]),
        ("V", [2, 1, -3, -1, 0, 0, 0]),
        ("F", [-2, -1, 4, 2, 0, 0, 0]),
        ("ohm", [2, 1, -3, -2, 0, 0, 0]),
        ("S", [-2, -1, 3, 2, 0, 0, 0]),
        ("Wb", [2, 1, -2, -1, 0, 0, 0]),
        ("T", [0, 1, -2, -1, 0, 0, 0]),
        ("H", [2, 1, -2, -2, 0, 0, 0]),
        ("M", [-3, 0, 0, 0, 0, 1, 0]),
    ];

    private static readonly Dictionary<long, string> Prefixes = new()
    {
        [-24] = "y", [-21] = "z", [-18] = "a", [-15] = "f", [-12] = "p", [-9] = "n", [-6] = "u", [-3] = "m", [-2] = "c", [-1] = "d",
        [0] = string.Empty, [1] = "da", [2] = "h", [3] = "k", [6] = "M", [9] = "G", [12] = "T", [15] = "P", [18] = "E", [21] = "Z", [24] = "Y",
    };

    private QuantityUnit(double[] dim, long scale, double @base, double factor)
    {
        Dim = dim;
        Scale = scale;
        Base = @base;
        Factor = factor;
    }

    public double[] Dim { get; }

    public long Scale { get; }

    public double Base { get; }

    public double Factor { get; }

    /// <summary>Reads a quantity map; false when the map is not exactly a quantity.</summary>
    public static bool TryFromQuantity(StateMap map, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out QuantityUnit? unit, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StateValue? mantissa)
    {
        unit = null;
        mantissa = null;
        if (map.Count != 5
            || !map.TryGetValue("mantissa", out StateNode? m) || m is not StateValue mv
            || !map.TryGetValue("scale", out StateNode? s) || s is not StateValue { Kind: StateNodeKind.Int } sv
            || !map.TryGetValue("base", out StateNode? b) || b is not StateValue bv || !TryNumber(bv, out double baseValue)
            || !map.TryGetValue("factor", out StateNode? f) || f is not StateValue fv || !TryNumber(fv, out double factor)
            || !map.TryGetValue("dim", out StateNode? d) || d is not StateValue { Value: NdArray dimArray }
            || dimArray.Length != 7 || !TryReadDim(dimArray, out double[]? dim))
        {
            return false;
        }

        if (mv.Kind is not (StateNodeKind.Float or StateNodeKind.Int or StateNodeKind.NdArray or StateNodeKind.NumpyScalar or StateNodeKind.Complex))
        {
            return false;
        }

        unit = new QuantityUnit(dim, sv.GetValue<long>(), baseValue, factor);
        mantissa = mv;
        return true;
    }

    public bool Equals(QuantityUnit? other) => other is not null && Scale == other.Scale
        && Base.Equals(other.Base) && Factor.Equals(other.Factor) && Dim.AsSpan().SequenceEqual(other.Dim);

    public override bool Equals(object? obj) => Equals(obj as QuantityUnit);

    public override int GetHashCode() => HashCode.Combine(Scale, Base, Factor, Dim.Sum());

    /// <summary>The unit as brainunit users write it: <c>ms</c>, <c>mohm</c>, <c>pF</c>, <c>m^2 s^-1</c>, <c>10.0^-3 * m</c>.</summary>
    public override string ToString()
    {
        bool dimensionless = Dim.All(x => x == 0);
        bool decimalPrefix = Base == 10 && Factor == 1 && Prefixes.ContainsKey(Scale);
        if (dimensionless)
        {
            return Scale == 0 && Factor == 1 ? "1" : $"{Number(Base)}^{Scale} * {Number(Factor)}";
        }

        string? symbol = null;
        long scale = Scale;
        int single = SingleBase();
        if (single == 1)
        {
            // Mass prefixes go on the gram: 10^-3 kg is g, 10^-6 kg is mg.
            symbol = "g";
            scale += 3;
        }
        else if (single >= 0)
        {
            symbol = BaseSymbols[single];
        }
        else
        {
            foreach ((string name, double[] dim) in Named)
            {
                if (dim.AsSpan().SequenceEqual(Dim))
                {
                    symbol = name;
                    break;
                }
            }
        }

        symbol ??= Composite();
        if (Base == 10 && Factor == 1 && Prefixes.TryGetValue(scale, out string? prefix) && (decimalPrefix || symbol == "g") && !symbol.Contains(' ', StringComparison.Ordinal))
        {
            return prefix + symbol;
        }

        string factor = Factor == 1 ? string.Empty : $" * {Number(Factor)}";
        return Scale == 0 && Base == 10 ? symbol + factor : $"{Number(Base)}^{Scale} * {symbol}{factor}";
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static bool TryNumber(StateValue value, out double number)
    {
        number = value.Value switch
        {
            double d => d,
            long l => l,
            NumpyScalar s => s.ToDouble(),
            _ => double.NaN,
        };
        return !double.IsNaN(number);
    }

    private static bool TryReadDim(NdArray array, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out double[]? dim)
    {
        dim = new double[7];
        for (int i = 0; i < 7; i++)
        {
            if (!ElementReader.TryRead(array, i, out dim[i], out _))
            {
                dim = null;
                return false;
            }
        }

        return true;
    }

    // The index of the only non-zero exponent when it is 1, else -1.
    private int SingleBase()
    {
        int found = -1;
        for (int i = 0; i < Dim.Length; i++)
        {
            if (Dim[i] == 0)
            {
                continue;
            }

            if (Dim[i] != 1 || found >= 0)
            {
                return -1;
            }

            found = i;
        }

        return found;
    }

    private string Composite()
    {
        var text = new StringBuilder();
        for (int i = 0; i < Dim.Length; i++)
        {
            if (Dim[i] == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(BaseSymbols[i]);
            if (Dim[i] != 1)
            {
                text.Append('^').Append(Number(Dim[i]));
            }
        }

        return text.ToString();
    }
}
