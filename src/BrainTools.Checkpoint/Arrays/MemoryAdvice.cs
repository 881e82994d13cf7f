using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint;

/// <summary>Hints to the OS about how native memory will be used.</summary>
internal static partial class MemoryAdvice
{
    /// <summary>Allocations at least this large are aligned to and backed by 2 MiB pages where the OS allows it.</summary>
    public const long HugePageThreshold = 4L << 20;

    /// <summary>The size of a transparent huge page on x64 and arm64 Linux.</summary>
    public const nuint HugePageSize = 2u << 20;

    private const int MadviseWillNeed = 3; // MADV_WILLNEED
    private const int MadviseHugePage = 14; // MADV_HUGEPAGE
    private const long PageSize = 4096;

    /// <summary>
    /// Asks Linux to back the range with transparent huge pages: first touch then takes one fault per 2 MiB instead
    /// of one per 4 KiB, which is most of the cost of filling fresh memory (and far more of it in a VM). Where the
    /// OS says no, nothing changes.
    /// </summary>
    public static unsafe void UseHugePages(void* address, nuint length)
    {
        if (OperatingSystem.IsLinux() && length >= HugePageThreshold)
        {
            TryAdvise((nint)address, length, MadviseHugePage);
        }
    }

    /// <summary>Asks Linux to start reading a range of a mapped file now, in the background, since it will be read soon.</summary>
    public static unsafe void WillNeed(byte* address, long length)
    {
        if (OperatingSystem.IsLinux() && length > 0)
        {
            // madvise wants a page-aligned start.
            long start = (long)address & ~(PageSize - 1);
            TryAdvise((nint)start, (nuint)((long)address + length - start), MadviseWillNeed);
        }
    }

    // Advice is only a hint: a C library without madvise (or a kernel that refuses) changes nothing.
    private static void TryAdvise(nint address, nuint length, int advice)
    {
        try
        {
            _ = Madvise(address, length, advice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
