using System.Buffers;
using System.Numerics.Tensors;

namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// Min, max, mean and NaN count of an array, computed in one pass over windows of its elements. NaNs are left out
/// of min, max and mean (as numpy's <c>nanmin</c> / <c>nanmax</c> / <c>nanmean</c>); for complex arrays only the NaN
/// count is given (an element counts when either part is NaN).
/// </summary>
internal sealed record ArrayStatistics(double? Min, double? Max, double? Mean, long NaNCount)
{
    public static ArrayStatistics Compute(NdArray array, Action<long>? progress = null)
    {
        bool complex = array.DType.Kind == DTypeKind.Complex;
        long components = ElementReader.ComponentCount(array);
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long counted = 0, nan = 0;
        int componentSize = complex ? array.DType.ItemSize / 2 : array.DType.ItemSize;
        double[] buffer = ArrayPool<double>.Shared.Rent(ElementReader.Window);
        try
        {
            for (long start = 0; start < components; start += ElementReader.Window)
            {
                Span<double> window = buffer.AsSpan(0, (int)Math.Min(ElementReader.Window, components - start));
                ElementReader.Read(array, start, window);
                if (complex)
                {
                    for (int i = 0; i < window.Length; i += 2)
                    {
                        if (double.IsNaN(window[i]) || double.IsNaN(window[i + 1]))
                        {
                            nan++;
                        }
                    }
                }
                else if (TensorPrimitives.Sum<double>(window) is double windowSum && !double.IsNaN(windowSum))
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

                progress?.Invoke(window.Length * (long)componentSize);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        return complex || counted == 0
            ? new ArrayStatistics(null, null, null, nan)
            : new ArrayStatistics(min, max, sum / counted, nan);
    }
}
