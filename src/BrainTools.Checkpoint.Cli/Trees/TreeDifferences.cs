using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// The differences between two trees: their structure as the library's <see cref="Msgpack.Reconcile"/> reports it
/// (keys only in one, type, shape, dtype, unit), then the values of the leaves whose structure agrees, compared within
/// a tolerance. The tool keeps no structural walk of its own.
/// </summary>
internal static class TreeDifferences
{
    /// <summary>One difference: its kind (<c>only in A</c>, <c>only in B</c>, <c>type</c>, <c>shape</c>, <c>dtype</c>, <c>unit</c>, <c>values</c>, <c>value</c>), path, what A and B hold.</summary>
    public sealed record Change(string Kind, string Path, string A, string B);

    public static List<Change> Compare(StateNode a, StateNode b, double atol, double rtol)
    {
        List<Leaf> leftLeaves = TreeWalker.Leaves(a);
        List<Leaf> rightLeaves = TreeWalker.Leaves(b);
        Dictionary<string, Leaf> left = ByPath(leftLeaves);
        Dictionary<string, Leaf> right = ByPath(rightLeaves);
        var changes = new List<Change>();

        // Where the structure differs so that values cannot be compared: a key on one side only, another type or shape.
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (CheckpointDifference difference in Msgpack.Reconcile(a, b))
        {
            string path = LeafOf(LeafPath.FromBraintools(difference.Path), left, right);
            left.TryGetValue(path, out Leaf? x);
            right.TryGetValue(path, out Leaf? y);
            Change change = difference.Kind switch
            {
                CheckpointDifferenceKind.Missing => new Change("only in A", path, x?.Describe() ?? difference.Expected, string.Empty),
                CheckpointDifferenceKind.Unexpected => new Change("only in B", path, string.Empty, y?.Describe() ?? difference.Actual),
                CheckpointDifferenceKind.Type => new Change("type", path, x?.Describe() ?? difference.Expected, y?.Describe() ?? difference.Actual),
                _ => new Change(difference.Kind.ToString().ToLowerInvariant(), path, difference.Expected, difference.Actual),
            };
            changes.Add(change);
            if (difference.Kind is not (CheckpointDifferenceKind.DType or CheckpointDifferenceKind.Unit))
            {
                blocked.Add(path);
            }
        }

        foreach (Leaf x in leftLeaves)
        {
            if (right.TryGetValue(x.Path, out Leaf? y) && !IsBlocked(x.Path, blocked) && CompareValues(x, y, atol, rtol) is Change change)
            {
                changes.Add(change);
            }
        }

        // In the order of A's leaves, then B's (a stable sort keeps the library's order among equals).
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Leaf leaf in leftLeaves.Concat(rightLeaves))
        {
            order.TryAdd(leaf.Path, order.Count);
        }

        return [.. changes.OrderBy(c => order.TryGetValue(c.Path, out int i) ? i : int.MaxValue)];
    }

    private static Change? CompareValues(Leaf x, Leaf y, double atol, double rtol)
    {
        if (x.Array is LeafArray p && y.Array is LeafArray q)
        {
            if (p.Shape != q.Shape)
            {
                return null; // Reported as a shape difference.
            }

            NdArray first = p.Read();
            NdArray second = q.Read();
            if (p.DType == q.DType && first.Equals(second))
            {
                return null;
            }

            ArrayComparison c = ArrayComparison.Compare(first, second, atol, rtol);
            return c.Differing == 0 ? null : new Change("values", x.Path,
                $"max abs diff {Terminal.Number(c.MaxAbsolute)}, max rel diff {Terminal.Number(c.MaxRelative)}",
                $"{c.Differing} of {c.Compared} {(p.DType.Kind == DTypeKind.Complex || q.DType.Kind == DTypeKind.Complex ? "components" : "elements")} differ");
        }

        if (x.IsEmptyMap && y.IsEmptyMap)
        {
            return null;
        }

        if (x.Value is null || y.Value is null)
        {
            return new Change("value", x.Path, x.Describe(), y.Describe());
        }

        if (x.Value.DeepEquals(y.Value))
        {
            return null;
        }

        // The library accepts an int where a float is expected (and anything where None is); a diff says so.
        double m = 0, n = 0;
        bool numbers = TryNumber(x.Value, out m) && TryNumber(y.Value, out n);
        if (x.Value.Kind != y.Value.Kind && !(x.Value.Value is NumpyScalar && y.Value.Value is NumpyScalar))
        {
            return new Change("type", x.Path, x.Describe(), y.Describe());
        }

        if (numbers && ((double.IsNaN(m) && double.IsNaN(n)) || Math.Abs(m - n) <= atol + (rtol * Math.Abs(n))))
        {
            return null;
        }

        return new Change("value", x.Path, Commands.InspectCommand.ValueText(x), Commands.InspectCommand.ValueText(y));
    }

    // A difference inside a leaf (./tau/mantissa of the quantity tau) belongs to that leaf.
    private static string LeafOf(string path, Dictionary<string, Leaf> left, Dictionary<string, Leaf> right)
    {
        for (string p = path; ; p = p[..p.LastIndexOf('/')])
        {
            if (left.ContainsKey(p) || right.ContainsKey(p))
            {
                return p;
            }

            if (!p.Contains('/', StringComparison.Ordinal))
            {
                return path;
            }
        }
    }

    private static bool IsBlocked(string path, HashSet<string> blocked)
    {
        for (string p = path; ; p = p[..p.LastIndexOf('/')])
        {
            if (blocked.Contains(p))
            {
                return true;
            }

            if (!p.Contains('/', StringComparison.Ordinal))
            {
                return blocked.Contains(LeafPath.Root);
            }
        }
    }

    private static Dictionary<string, Leaf> ByPath(List<Leaf> leaves)
    {
        var byPath = new Dictionary<string, Leaf>(leaves.Count, StringComparer.Ordinal);
        foreach (Leaf leaf in leaves)
        {
            byPath.TryAdd(leaf.Path, leaf);
        }

        return byPath;
    }

    private static bool TryNumber(StateValue value, out double number)
    {
        (bool ok, number) = value.Value switch
        {
            long l => (true, l),
            ulong u => (true, u),
            double d => (true, d),
            NumpyScalar s when s.DType.Kind != DTypeKind.Complex => (true, s.ToDouble()),
            _ => (false, 0d),
        };
        return ok;
    }
}
