using System.Diagnostics.CodeAnalysis;

namespace BrainTools.Checkpoint;

public sealed partial class Quantity
{
    /// <summary>
    /// The state dict braintools saves for a brainunit quantity, key for key and in this order:
    /// <c>mantissa</c> (a float, or the array), <c>scale</c> (an int), <c>base</c> (a float), <c>dim</c>
    /// (an int64 array of the 7 SI exponents; float64 if one is fractional) and <c>factor</c> (a float).
    /// Saved, it gives the bytes braintools writes for the same quantity.
    /// </summary>
    /// <returns>A new map; an array mantissa is shared, not copied.</returns>
    public StateMap ToStateDict()
    {
        var map = new StateMap(5);
        map.Add("mantissa", _array is null ? new StateValue(_scalar) : new StateValue(_array));
        map.Add("scale", new StateValue((long)Unit.Scale));
        map.Add("base", new StateValue(Unit.Base));
        map.Add("dim", new StateValue(Unit.Dimension.ToArray()));
        map.Add("factor", new StateValue(Unit.Factor));
        return map;
    }

    /// <summary>
    /// Reads <paramref name="state"/> as a quantity when it is one: a map of brainunit's keys and no others
    /// (<c>factor</c> may be missing, as in older files) that <see cref="FromStateDict"/> accepts. For tools that
    /// walk raw trees and must tell quantities from other maps without exceptions.
    /// </summary>
    /// <returns>Whether the node is a readable quantity.</returns>
    public static bool TryFromStateDict(StateNode state, [NotNullWhen(true)] out Quantity? quantity)
    {
        quantity = null;
        if (state is not StateMap map
            || !map.ContainsKey("mantissa") || !map.ContainsKey("scale") || !map.ContainsKey("base") || !map.ContainsKey("dim")
            || map.Keys.Any(key => key is not ("mantissa" or "scale" or "base" or "dim" or "factor")))
        {
            return false;
        }

        try
        {
            quantity = FromStateDict(map);
            return true;
        }
        catch (CheckpointException)
        {
            return false;
        }
    }

    /// <summary>
    /// Rebuilds a quantity from its state dict (as <see cref="ToStateDict"/> and braintools write it). The unit
    /// takes the name of the <see cref="Units"/> entry of the same dimension, scale, base and factor, if any, so a
    /// loaded millisecond displays as <c>ms</c> (brainunit shows its rebuilt units unnamed: <c>10.0^-3 * s</c>;
    /// <see cref="Unit.WithoutName"/> gives that form).
    /// </summary>
    /// <param name="state">The map <c>{mantissa, scale, base, dim, factor}</c>. Read leniently: a Python int mantissa
    /// (kept as a double, so it saves back as a float), a numpy scalar mantissa (kept as a 0-d array of its dtype, so it
    /// saves back as an array), an int base, a float64 <c>dim</c> as older brainunit wrote it, a missing <c>factor</c>
    /// (brainunit before factors: 1) and keys beyond these five (ignored).</param>
    /// <param name="path">Where the map is in the checkpoint, for messages (<c>./model/tau</c>); <c>.</c> is the root.</param>
    /// <exception cref="InvalidCheckpointException">The node is not such a map; the message names the key and the path.</exception>
    public static Quantity FromStateDict(StateNode state, string path = ".")
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(path);
        if (state is not StateMap map)
        {
            throw Invalid($"a quantity is saved as a map of mantissa, scale, base, dim and factor, found {state.Describe()}", path);
        }

        StateNode mantissaNode = Require(map, "mantissa", path);
        Unit unit = ReadUnit(map, path);
        string mantissaPath = Child(path, "mantissa");
        return mantissaNode is StateValue leaf ? leaf.Value switch
        {
            double d => new Quantity(d, unit),
            long l => new Quantity(l, unit),
            ulong u => new Quantity(u, unit),
            NdArray array when array.DType.Kind != DTypeKind.Complex => new Quantity(array, unit),
            NumpyScalar scalar when scalar.DType.Kind != DTypeKind.Complex => new Quantity(scalar.ToNdArray(), unit),
            _ => throw Invalid($"the mantissa of a quantity is a real number or array, found {mantissaNode.Describe()}", mantissaPath),
        }
        : throw Invalid($"the mantissa of a quantity is a real number or array, found {mantissaNode.Describe()}", mantissaPath);
    }

    /// <summary>
    /// Reads only the unit of a saved quantity (the <c>scale</c>, <c>base</c>, <c>dim</c> and <c>factor</c> of its
    /// map), named as <see cref="FromStateDict"/> names it; for checks that need no mantissa.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The node is not a map with a valid unit; the message names the key and the path.</exception>
    public static Unit ReadUnit(StateNode state, string path = ".")
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(path);
        return state is StateMap map
            ? ReadUnit(map, path)
            : throw Invalid($"a quantity is saved as a map of mantissa, scale, base, dim and factor, found {state.Describe()}", path);
    }

    private static Unit ReadUnit(StateMap map, string path)
    {
        int scale = ReadScale(Require(map, "scale", path), Child(path, "scale"));
        double @base = ReadNumber(Require(map, "base", path), Child(path, "base"), "base");
        Dimension dimension = ReadDimension(Require(map, "dim", path), Child(path, "dim"));
        double factor = map.TryGetValue("factor", out StateNode? factorNode) ? ReadNumber(factorNode, Child(path, "factor"), "factor") : 1.0;
        if (!double.IsFinite(@base) || @base <= 0)
        {
            throw Invalid($"the base of a unit must be a finite positive number, got {PythonFormat.Float(@base)}", Child(path, "base"));
        }

        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw Invalid($"the factor of a unit must be a finite positive number, got {PythonFormat.Float(factor)}", Child(path, "factor"));
        }

        return Units.Find(dimension, scale, @base, factor) ?? new Unit(dimension, scale, @base, factor);
    }

    private static StateNode Require(StateMap map, string key, string path) => map.TryGetValue(key, out StateNode? node)
        ? node
        : throw Invalid($"a quantity needs the key '{key}'; the map has {{{string.Join(", ", map.Keys.Select(PythonFormat.String))}}}", path);

    private static int ReadScale(StateNode node, string path)
    {
        object? value = (node as StateValue)?.Value;
        double number = value switch
        {
            long l => l,
            double d when d == Math.Floor(d) => d,
            NumpyScalar s when s.DType.Kind is DTypeKind.SignedInteger or DTypeKind.UnsignedInteger => s.ToDouble(),
            _ => double.NaN,
        };
        return number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : throw Invalid($"the scale of a unit is an integer power of the base, found {node.Describe()}", path);
    }

    private static double ReadNumber(StateNode node, string path, string what) => (node as StateValue)?.Value switch
    {
        double d => d,
        long l => l,
        NumpyScalar s when s.DType.Kind is DTypeKind.Float or DTypeKind.SignedInteger or DTypeKind.UnsignedInteger => s.ToDouble(),
        _ => throw Invalid($"the {what} of a unit is a number, found {node.Describe()}", path),
    };

    private static Dimension ReadDimension(StateNode node, string path)
    {
        if ((node as StateValue)?.Value is not NdArray array)
        {
            throw Invalid($"the dim of a unit is an array of the 7 SI exponents, found {node.Describe()}", path);
        }

        return Dimension.TryFromArray(array, out Dimension? dimension, out string? error) ? dimension : throw Invalid(error, path);
    }

    // The one path rule (TreePath): the key below the path as braintools prints it.
    private static string Child(string path, string key) => TreePath.Parse(path).Child(key).ToString();

    private static InvalidCheckpointException Invalid(string reason, string path) => new(reason, treePath: path);
}
