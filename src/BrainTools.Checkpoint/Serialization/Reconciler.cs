using System.Globalization;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Compares the state dict of a template with a saved one and lists every difference at once (missing and
/// unexpected keys, shapes, dtypes, units, kinds), without restoring anything.
/// </summary>
internal static class Reconciler
{
    private static readonly string[] QuantityKeys = ["mantissa", "scale", "base", "dim", "factor"];
    private static readonly string[] DimensionSymbols = ["m", "kg", "s", "A", "K", "mol", "cd"];

    /// <summary>
    /// How a unit is shown in a <see cref="CheckpointDifferenceKind.Unit"/> difference, given a saved quantity's
    /// map; when null, <see cref="DescribeUnit"/> writes <c>10.0^-3 * s</c>. The Units layer may set it to its own display (<c>ms</c>).
    /// </summary>
    internal static Func<StateMap, string>? UnitDescriber { get; set; }

    public static List<CheckpointDifference> Compare(StateNode expected, StateNode actual)
    {
        var differences = new List<CheckpointDifference>();
        Walk(expected, actual, ".", differences);
        return differences;
    }

    /// <summary>brainunit's display of a unit from its saved parts: <c>10.0^-3 * s</c>, <c>m * kg * s^-2</c>.</summary>
    public static string DescribeUnit(StateMap quantity)
    {
        double[] dims = Dimensions(quantity["dim"]);
        string body = string.Join(" * ", dims
            .Select((e, i) => (e, i))
            .Where(d => d.e != 0)
            .Select(d => d.e == 1 ? DimensionSymbols[d.i] : $"{DimensionSymbols[d.i]}^{Number(d.e)}"));
        long scale = quantity["scale"] is StateValue { Value: long s } ? s : 0;
        double factor = quantity["factor"] is StateValue { Value: double f } ? f : 1;
        var parts = new List<string>();
        if (factor != 1)
        {
            parts.Add(PythonFormat.Float(factor));
        }

        if (scale != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"10.0^{scale}"));
        }

        if (body.Length > 0 || parts.Count == 0)
        {
            parts.Add(body.Length > 0 ? body : "1");
        }

        return string.Join(" * ", parts);
    }

    private static void Walk(StateNode expected, StateNode actual, string path, List<CheckpointDifference> differences)
    {
        if (expected is StateMap map)
        {
            if (actual is not StateMap saved)
            {
                differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Type, expected.Describe(), actual.Describe()));
                return;
            }

            if (IsQuantity(map) && IsQuantity(saved) && !SameUnit(map, saved))
            {
                Func<StateMap, string> describe = UnitDescriber ?? DescribeUnit;
                differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Unit, describe(map), describe(saved)));
                Walk(map["mantissa"], saved["mantissa"], Child(path, "mantissa"), differences);
                return;
            }

            foreach (KeyValuePair<string, StateNode> item in map)
            {
                if (saved.TryGetValue(item.Key, out StateNode? child))
                {
                    Walk(item.Value, child, Child(path, item.Key), differences);
                }
                else
                {
                    differences.Add(new CheckpointDifference(Child(path, item.Key), CheckpointDifferenceKind.Missing, item.Value.Describe(), "nothing"));
                }
            }

            foreach (KeyValuePair<string, StateNode> item in saved)
            {
                if (!map.ContainsKey(item.Key))
                {
                    differences.Add(new CheckpointDifference(Child(path, item.Key), CheckpointDifferenceKind.Unexpected, "nothing", item.Value.Describe()));
                }
            }

            return;
        }

        var leaf = (StateValue)expected;
        if (leaf.Kind == StateNodeKind.Nil)
        {
            return;
        }

        if (actual is not StateValue value || !Compatible(leaf, value))
        {
            differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Type, expected.Describe(), actual.Describe()));
            return;
        }

        (DType? expectedType, Shape? expectedShape) = ArrayInfo(leaf);
        (DType? actualType, Shape? actualShape) = ArrayInfo(value);
        if (expectedShape is { } es && actualShape is { } @as && es != @as)
        {
            differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Shape, es.ToString(), @as.ToString()));
        }

        if (expectedType is not null && actualType is not null && expectedType != actualType)
        {
            differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.DType, expectedType.Name, actualType.Name));
        }
    }

    /// <summary>Whether a restore can put the saved leaf where the template has its leaf (an int where a float is expected, yes; a float where an int is, no).</summary>
    private static bool Compatible(StateValue expected, StateValue actual)
    {
        DTypeKind? numpyKind = (actual.Value as NumpyScalar)?.DType.Kind;
        return expected.Kind switch
        {
            StateNodeKind.NdArray => actual.Kind == StateNodeKind.NdArray || (actual.Kind == StateNodeKind.NumpyScalar && ((NdArray)expected.Value!).Rank == 0),
            StateNodeKind.NumpyScalar => actual.Kind == StateNodeKind.NumpyScalar,
            StateNodeKind.Int => actual.Kind == StateNodeKind.Int || numpyKind is DTypeKind.SignedInteger or DTypeKind.UnsignedInteger,
            StateNodeKind.Float => actual.Kind is StateNodeKind.Float or StateNodeKind.Int || numpyKind is DTypeKind.Float or DTypeKind.SignedInteger or DTypeKind.UnsignedInteger,
            StateNodeKind.Complex => actual.Kind is StateNodeKind.Complex or StateNodeKind.Float or StateNodeKind.Int || (numpyKind is not null and not DTypeKind.Bool),
            StateNodeKind.Bool => actual.Kind == StateNodeKind.Bool || numpyKind == DTypeKind.Bool,
            _ => actual.Kind == expected.Kind,
        };
    }

    private static (DType? DType, Shape? Shape) ArrayInfo(StateValue leaf) => leaf.Value switch
    {
        NdArray array => (array.DType, array.Shape),
        NumpyScalar scalar => (scalar.DType, Shape.Scalar),
        _ => (null, null),
    };

    private static bool IsQuantity(StateMap map) => map.Count == QuantityKeys.Length && QuantityKeys.All(map.ContainsKey);

    private static bool SameUnit(StateMap a, StateMap b) =>
        a["scale"].DeepEquals(b["scale"]) && a["base"].DeepEquals(b["base"]) && a["factor"].DeepEquals(b["factor"])
        && Dimensions(a["dim"]).SequenceEqual(Dimensions(b["dim"]));

    // brainunit writes the exponents as int64 now and float64 in older files: compare them as numbers.
    private static double[] Dimensions(StateNode dim)
    {
        if ((dim as StateValue)?.Value is not NdArray array)
        {
            return [];
        }

        var values = new double[array.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ElementFormat.ToDouble(array.DType, array.GetBytes(i * array.DType.ItemSize, array.DType.ItemSize));
        }

        return values;
    }

    private static string Number(double value) => value == Math.Floor(value)
        ? ((long)value).ToString(CultureInfo.InvariantCulture)
        : PythonFormat.Float(value);

    private static string Child(string path, string key) => path == "." ? "./" + key : path + "/" + key;
}
