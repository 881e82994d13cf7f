using System.Diagnostics;

namespace BrainTools.Checkpoint.Benchmarks.Harness;

/// <summary>Times repeated runs and takes medians.</summary>
public static class Timing
{
    /// <summary>Milliseconds one call of <paramref name="action"/> takes.</summary>
    public static double Milliseconds(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
