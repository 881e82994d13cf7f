using System.Buffers;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// Element-wise comparison of two arrays of the same shape (any dtypes; complex per component), with numpy's
/// <c>allclose</c> rule <c>|a - b| &lt;= atol + rtol * |b|</c>; NaNs in the same place are equal.
/// </summary>
internal sealed record ArrayComparison(double MaxAbsolute, double MaxRelative, long Differing, long Compared)
{
    public static ArrayComparison Compare(NdArray a, NdArray b, double atol, double rtol)
    {
        long count = Math.Min(ElementReader.ComponentCount(a), ElementReader.ComponentCount(b));
        double maxAbs = 0, maxRel = 0;
        long differing = 0;
        double[] left = ArrayPool<double>.Shared.Rent(ElementReader.Window);
        double[] right = ArrayPool<double>.Shared.Rent(ElementReader.Window);
        try
        {
            for (long start = 0; start < count; start += ElementReader.Window)
            {
                int length = (int)Math.Min(ElementReader.Window, count - start);
                ElementReader.Read(a, start, left.AsSpan(0, length));
                ElementReader.Read(b, start, right.AsSpan(0, length));
                for (int i = 0; i < length; i++)
                {
                    (double x, double y) = (left[i], right[i]);
                    if (double.IsNaN(x) && double.IsNaN(y))
                    {
                        continue;
                    }

                    double abs = x == y ? 0 : Math.Abs(x - y);
                    double rel = abs == 0 ? 0 : y == 0 ? double.PositiveInfinity : abs / Math.Abs(y);
                    if (double.IsNaN(abs))
                    {
                        abs = rel = double.NaN;
                    }

                    maxAbs = double.IsNaN(abs) || double.IsNaN(maxAbs) ? double.NaN : Math.Max(maxAbs, abs);
                    maxRel = double.IsNaN(rel) || double.IsNaN(maxRel) ? double.NaN : Math.Max(maxRel, rel);
                    if (!(abs <= atol + (rtol * Math.Abs(y))))
                    {
                        differing++;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(left);
            ArrayPool<double>.Shared.Return(right);
        }

        return new ArrayComparison(maxAbs, maxRel, differing, count);
    }
}
