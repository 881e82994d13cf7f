using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Azure;

/// <summary>A whole blob by parallel ranged downloads, into one array or into a staged local file.</summary>
internal static class BlobDownload
{
    /// <summary>Every byte of the version <paramref name="reader"/> reads, in one array.</summary>
    public static async Task<byte[]> ToArrayAsync(BlobRangeReader reader, BlobLoadOptions options, CancellationToken cancellationToken)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(checked((int)reader.Length));
        await ForEachRangeAsync(reader, options, cancellationToken, async (offset, count, ct) =>
        {
            int read = await reader.ReadAtAsync(offset, buffer.AsMemory((int)offset, count), ct).ConfigureAwait(false);
            CheckComplete(reader, offset, count, read);
        }).ConfigureAwait(false);
        return buffer;
    }

    /// <summary>Every byte of the version <paramref name="reader"/> reads, written to <paramref name="path"/> (created).</summary>
    public static async Task ToFileAsync(BlobRangeReader reader, string path, BlobLoadOptions options, CancellationToken cancellationToken)
    {
        // No preallocation: on tmpfs it would zero every page up front on one thread; written pages are allocated as
        // the ranges arrive, in parallel.
        using SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous);
        await ForEachRangeAsync(reader, options, cancellationToken, async (offset, count, ct) =>
        {
            byte[] range = ArrayPool<byte>.Shared.Rent(count);
            try
            {
                int read = await reader.ReadAtAsync(offset, range.AsMemory(0, count), ct).ConfigureAwait(false);
                CheckComplete(reader, offset, count, read);
                await RandomAccess.WriteAsync(file, range.AsMemory(0, count), offset, ct).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(range);
            }
        }).ConfigureAwait(false);
    }

    private static Task ForEachRangeAsync(BlobRangeReader reader, BlobLoadOptions options, CancellationToken cancellationToken, Func<long, int, CancellationToken, ValueTask> read)
    {
        long ranges = (reader.Length + options.RangeSize - 1) / options.RangeSize;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken };
        return Parallel.ForEachAsync(LongRange(ranges), parallel, (index, ct) =>
        {
            long offset = index * options.RangeSize;
            return read(offset, (int)Math.Min(options.RangeSize, reader.Length - offset), ct);
        });
    }

    private static IEnumerable<long> LongRange(long count)
    {
        for (long i = 0; i < count; i++)
        {
            yield return i;
        }
    }

    private static void CheckComplete(BlobRangeReader reader, long offset, int count, int read)
    {
        if (read != count)
        {
            throw new BlobCheckpointException(
                $"Cannot load {reader.BlobUri}: bytes {offset}..{offset + count} came back {read} bytes long.", reader.BlobUri, "load");
        }
    }
}
