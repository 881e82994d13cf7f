using System.Globalization;

namespace BrainTools.Checkpoint.Benchmarks.Harness;

/// <summary>The resident memory of this process from <c>/proc/self/status</c> (Linux), in bytes.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now (VmRSS).</summary>
    public static long Resident() => Read("VmRSS:");

    /// <summary>Peak resident set size since start or since <see cref="ResetPeak"/> (VmHWM).</summary>
    public static long Peak() => Read("VmHWM:");

    /// <summary>Resets the peak to the current resident size (writes 5 to <c>/proc/self/clear_refs</c>).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>Collects garbage and runs finalizers, so that freed native and mapped memory is gone.</summary>
    public static void Settle()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }

    private static long Read(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                string kb = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"{field} is not in /proc/self/status.");
    }
}
