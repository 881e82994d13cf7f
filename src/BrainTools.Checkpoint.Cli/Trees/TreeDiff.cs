using System.Globalization;
using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>The differences between two trees, leaf by leaf (quantities as one leaf), in the order of A then B.</summary>
internal static class TreeDiff
{
    /// <summary>One difference: its kind (<c>only in A</c>, <c>dtype</c>, <c>shape</c>, <c>unit</c>, <c>type</c>, <c>values</c>, <c>value</c>), path, what A and B hold.</summary>
    public sealed record Change(string Kind, string Path, string A, string B);

    public static List<Change> Compare(StateNode a, StateNode b, double atol, double rtol)
    {
        List<Leaf> left = TreeWalker.Leaves(a);
        Dictionary<string, Leaf> right = TreeWalker.Leaves(b).ToDictionary(l => l.Path, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changes = new List<Change>();
        foreach (Leaf x in left)
        {
            seen.Add(x.Path);
            if (!right.TryGetValue(x.Path, out Leaf? y))
            {
                changes.Add(new Change("only in A", x.Path, x.Describe(), string.Empty));
                continue;
            }

            CompareLeaves(x, y, atol, rtol, changes);
        }

        foreach (Leaf y in TreeWalker.Leaves(b).Where(l => !seen.Contains(l.Path)))
        {
            changes.Add(new Change("only in B", y.Path, string.Empty, y.Describe()));
        }

        return changes;
    }

    private static void CompareLeaves(Leaf x, Leaf y, double atol, double rtol, List<Change> changes)
    {
        if (x.TypeName != y.TypeName || (x.Unit is null && x.Value?.Kind != y.Value?.Kind))
        {
            changes.Add(new Change("type", x.Path, x.Describe(), y.Describe()));
            return;
        }

        if (x.Unit is not null && !x.Unit.Equals(y.Unit))
        {
            changes.Add(new Change("unit", x.Path, x.Unit.ToString(), y.Unit!.ToString()));
        }

        if (x.Array is NdArray p && y.Array is NdArray q)
        {
            if (p.DType != q.DType)
            {
                changes.Add(new Change("dtype", x.Path, p.DType.Name, q.DType.Name));
            }

            if (p.Shape != q.Shape)
            {
                changes.Add(new Change("shape", x.Path, p.Shape.ToString(), q.Shape.ToString()));
                return;
            }

            if (p.DType == q.DType && p.Equals(q))
            {
                return;
            }

            ArrayComparison c = ArrayComparison.Compare(p, q, atol, rtol);
            if (c.Differing > 0)
            {
                changes.Add(new Change("values", x.Path,
                    $"max abs diff {Terminal.Number(c.MaxAbsolute)}, max rel diff {Terminal.Number(c.MaxRelative)}",
                    $"{c.Differing} of {c.Compared} {(p.DType.Kind == DTypeKind.Complex ? "components" : "elements")} differ"));
            }

            return;
        }

        if (x.Value is null || y.Value is null || x.Value.DeepEquals(y.Value))
        {
            return;
        }

        if (TryNumber(x.Value, out double m) && TryNumber(y.Value, out double n)
            && ((double.IsNaN(m) && double.IsNaN(n)) || Math.Abs(m - n) <= atol + (rtol * Math.Abs(n))))
        {
            if (x.Value.Value is NumpyScalar s && y.Value.Value is NumpyScalar t && s.DType != t.DType)
            {
                changes.Add(new Change("dtype", x.Path, s.DType.Name, t.DType.Name));
            }

            return;
        }

        changes.Add(new Change("value", x.Path, InspectValue(x), InspectValue(y)));
    }

    private static string InspectValue(Leaf leaf) => Commands.InspectCommand.ValueText(leaf);

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

    public static string Tolerance(double atol, double rtol) =>
        string.Create(CultureInfo.InvariantCulture, $"atol {atol:G6}, rtol {rtol:G6}");
}
