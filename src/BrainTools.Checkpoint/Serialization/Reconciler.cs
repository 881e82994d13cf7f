namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Compares the state dict of a template with a saved one and lists every difference at once (missing and
/// unexpected keys, shapes, dtypes, units, kinds), without restoring anything.
/// </summary>
internal static class Reconciler
{
    public static List<CheckpointDifference> Compare(StateNode expected, StateNode actual)
    {
        var differences = new List<CheckpointDifference>();
        Walk(expected, actual, ".", differences);
        return differences;
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

            // Two quantities differ in their unit and mantissa only: the restore reads the unit leniently (a float64
            // dim as older brainunit wrote it, no factor), so its parts are not compared key by key.
            if (TryReadUnit(map, out Unit? expectedUnit) && TryReadUnit(saved, out Unit? savedUnit))
            {
                if (expectedUnit != savedUnit)
                {
                    differences.Add(new CheckpointDifference(path, CheckpointDifferenceKind.Unit, expectedUnit.ToString(), savedUnit.ToString()));
                }

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

    // A malformed quantity map is compared key by key instead, like any other map.
    private static bool TryReadUnit(StateMap map, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Unit? unit)
    {
        unit = Quantity.TryFromStateDict(map, out Quantity? quantity) ? quantity.Unit : null;
        return unit is not null;
    }

    private static string Child(string path, string key) => path == "." ? "./" + key : path + "/" + key;
}
