using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// Min, max, mean and NaN count of an array, computed in one pass over windows of its elements (read as doubles by
/// the library's <see cref="NdArray.ConvertInto{T}(long, Span{T})"/>). NaNs are left out of min, max and mean (as
/// numpy's <c>nanmin</c> / <c>nanmax</c> / <c>nanmean</c>); for complex arrays only the NaN count is given (an element
/// counts when either part is NaN).
/// </summary>
internal sealed record ArrayStatistics(double? Min, double? Max, double? Mean, long NaNCount)
{
    /// <summary>Elements per window: 64 Ki doubles (512 KiB) keeps the buffer small and the loop cheap.</summary>
    public const int Window = 1 << 16;

    public static ArrayStatistics Compute(NdArray array, Action<long>? progress = null)
    {
        if (array.DType.Kind == DTypeKind.Complex)
        {
            return new ArrayStatistics(null, null, null, ComplexNaNs(array, progress));
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long counted = 0, nan = 0;
        double[] buffer = ArrayPool<double>.Shared.Rent(Window);
        try
        {
            for (long start = 0; start < array.Length; start += Window)
            {
                Span<double> window = buffer.AsSpan(0, (int)Math.Min(Window, array.Length - start));
                array.ConvertInto(start, window);
                if (TensorPrimitives.Sum<double>(window) is double windowSum && !double.IsNaN(windowSum))
                {
                    // No NaN in the window (a NaN sum can also come from +inf and -inf: the loop below sorts that out).
                    min = Math.Min(min, TensorPrimitives.Min<double>(window));
                    max = Math.Max(max, TensorPrimitives.Max<double>(window));
                    sum += windowSum;
                    counted += window.Length;
                }
                else
                {
                    foreach (double v in window)
                    {
                        if (double.IsNaN(v))
                        {
                            nan++;
                            continue;
                        }

                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                        sum += v;
                        counted++;
                    }
                }

                progress?.Invoke(window.Length * (long)array.DType.ItemSize);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        return counted == 0 ? new ArrayStatistics(null, null, null, nan) : new ArrayStatistics(min, max, sum / counted, nan);
    }

    private static long ComplexNaNs(NdArray array, Action<long>? progress)
    {
        long nan = 0;
        Complex[] buffer = ArrayPool<Complex>.Shared.Rent(Window);
        try
        {
            for (long start = 0; start < array.Length; start += Window)
            {
                Span<Complex> window = buffer.AsSpan(0, (int)Math.Min(Window, array.Length - start));
                array.ConvertInto(start, window);
                foreach (Complex c in window)
                {
                    if (double.IsNaN(c.Real) || double.IsNaN(c.Imaginary))
                    {
                        nan++;
                    }
                }

                progress?.Invoke(window.Length * (long)array.DType.ItemSize);
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(buffer);
        }

        return nan;
    }
}
