using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// Element-wise comparison of two arrays of the same shape (any dtypes, converted by the library's
/// <see cref="NdArray.ConvertInto{T}(long, Span{T})"/>; complex per component), with numpy's <c>allclose</c> rule
/// <c>|a - b| &lt;= atol + rtol * |b|</c>; NaNs in the same place are equal.
/// </summary>
internal sealed record ArrayComparison(double MaxAbsolute, double MaxRelative, long Differing, long Compared)
{
    private const int Window = 1 << 15;

    public static ArrayComparison Compare(NdArray a, NdArray b, double atol, double rtol)
    {
        bool complex = a.DType.Kind == DTypeKind.Complex || b.DType.Kind == DTypeKind.Complex;
        long count = Math.Min(a.Length, b.Length);
        double maxAbs = 0, maxRel = 0;
        long differing = 0;
        Complex[] left = ArrayPool<Complex>.Shared.Rent(Window);
        Complex[] right = ArrayPool<Complex>.Shared.Rent(Window);
        double[] leftReal = ArrayPool<double>.Shared.Rent(Window);
        double[] rightReal = ArrayPool<double>.Shared.Rent(Window);
        try
        {
            for (long start = 0; start < count; start += Window)
            {
                int length = (int)Math.Min(Window, count - start);
                ReadOnlySpan<double> x, y;
                if (complex)
                {
                    // Both as complex128: two components per element, compared one by one.
                    a.ConvertInto(start, left.AsSpan(0, length));
                    b.ConvertInto(start, right.AsSpan(0, length));
                    x = MemoryMarshal.Cast<Complex, double>(left.AsSpan(0, length));
                    y = MemoryMarshal.Cast<Complex, double>(right.AsSpan(0, length));
                }
                else
                {
                    a.ConvertInto(start, leftReal.AsSpan(0, length));
                    b.ConvertInto(start, rightReal.AsSpan(0, length));
                    x = leftReal.AsSpan(0, length);
                    y = rightReal.AsSpan(0, length);
                }

                for (int i = 0; i < x.Length; i++)
                {
                    if (double.IsNaN(x[i]) && double.IsNaN(y[i]))
                    {
                        continue;
                    }

                    double abs = x[i] == y[i] ? 0 : Math.Abs(x[i] - y[i]);
                    double rel = abs == 0 ? 0 : y[i] == 0 ? double.PositiveInfinity : abs / Math.Abs(y[i]);
                    if (double.IsNaN(abs))
                    {
                        abs = rel = double.NaN;
                    }

                    maxAbs = double.IsNaN(abs) || double.IsNaN(maxAbs) ? double.NaN : Math.Max(maxAbs, abs);
                    maxRel = double.IsNaN(rel) || double.IsNaN(maxRel) ? double.NaN : Math.Max(maxRel, rel);
                    if (!(abs <= atol + (rtol * Math.Abs(y[i]))))
                    {
                        differing++;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(left);
            ArrayPool<Complex>.Shared.Return(right);
            ArrayPool<double>.Shared.Return(leftReal);
            ArrayPool<double>.Shared.Return(rightReal);
        }

        return new ArrayComparison(maxAbs, maxRel, differing, complex ? 2 * count : count);
    }
}
