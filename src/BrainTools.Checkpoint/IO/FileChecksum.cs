using System.Globalization;
using System.IO.Hashing;


namespace BrainTools.Checkpoint.IO;

/// <summary>The checksum a checkpoint manifest records: <c>xxh3-64:</c> and 16 lowercase hex digits of XXH3-64 over the file's bytes.</summary>
internal static class FileChecksum
{
    public const string Prefix = "xxh3-64:";

    /// <summary>Formats a hash.</summary>
    public static string Format(ulong hash) => Prefix + hash.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="checksum"/> has the form <see cref="Format"/> gives (read from a manifest, it may not).</summary>
    public static bool IsWellFormed(string checksum) =>
        checksum.Length == Prefix.Length + 16 && checksum.StartsWith(Prefix, StringComparison.Ordinal) && !checksum.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef");

    /// <summary>The reason a checkpoint with checksum <paramref name="actual"/> is refused where <paramref name="recorded"/> was recorded.</summary>
    public static string Mismatch(string actual, string recorded) => $"its checksum is {actual}, the manifest says {recorded}";

    /// <summary>The checksum of the first <paramref name="length"/> bytes of memory already read, in 1 GiB windows.</summary>
    public static string Compute(ArrayStorage storage, long length)
    {
        var hash = new XxHash3();
        for (long offset = 0; offset < length; offset += 1 << 30)
        {
            hash.Append(storage.GetSpan(offset, (int)Math.Min(1 << 30, length - offset)));
        }

        return Format(hash.GetCurrentHashAsUInt64());
    }

    /// <summary>The checksum of a file, read in one pass.</summary>
    /// <param name="path">The file.</param>
    /// <param name="progress">Receives the bytes hashed, window by window.</param>
    public static string Compute(string path, IProgress<long>? progress = null)
    {
        using var source = new FileCheckpointSource(path);
        return Compute(source, progress);
    }

    /// <summary>
    /// The checksum of a checkpoint's bytes wherever they are kept, read once from start to end. Windows of at least
    /// the source's preferred read size are read ahead, up to <see cref="ICheckpointSource.MaxConcurrentReads"/> (at
    /// most 8) at once, and hashed in order: a blob costs a round trip per window, and one at a time would leave the
    /// link idle between them.
    /// </summary>
    /// <param name="source">The bytes.</param>
    /// <param name="progress">Receives the bytes hashed, window by window.</param>
    /// <exception cref="IOException">The source ended before its length.</exception>
    public static string Compute(ICheckpointSource source, IProgress<long>? progress = null)
    {
        var hash = new XxHash3();
        int window = Math.Max(1 << 20, source.PreferredReadSize);
        int depth = Math.Clamp(source.MaxConcurrentReads, 1, 8);
        var pending = new Queue<(Task<byte[]> Read, int Count)>();
        long next = 0;
        void ReadAhead()
        {
            long at = next;
            int count = (int)Math.Min(window, source.Length - at);
            next += count;

            // A thread of its own per window (reads mostly wait): blocking pool threads would only be added slowly.
            pending.Enqueue((depth == 1 ? Task.FromResult(ReadWindow(source, at, count)) : Task.Factory.StartNew(() => ReadWindow(source, at, count), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default), count));
        }

        try
        {
            while (pending.Count < depth && next < source.Length)
            {
                ReadAhead();
            }

            while (pending.Count > 0)
            {
                (Task<byte[]> read, int count) = pending.Dequeue();
                byte[] buffer = read.GetAwaiter().GetResult();
                hash.Append(buffer.AsSpan(0, count));
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                progress?.Report(count);
                if (next < source.Length)
                {
                    ReadAhead();
                }
            }
        }
        finally
        {
            // After a failure: the reads still in flight finish, and their buffers go back.
            foreach ((Task<byte[]> read, _) in pending)
            {
                try
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(read.GetAwaiter().GetResult());
                }
                catch (Exception e) when (e is IOException or CheckpointException or ObjectDisposedException)
                {
                }
            }
        }

        return Format(hash.GetCurrentHashAsUInt64());
    }

    private static byte[] ReadWindow(ICheckpointSource source, long offset, int count)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
        try
        {
            for (int done = 0; done < count;)
            {
                int read = source.ReadAt(offset + done, buffer.AsSpan(done, count - done));
                if (read == 0)
                {
                    throw new IOException($"{source.Name} shrank while it was hashed ({offset + done} of {source.Length} bytes).");
                }

                done += read;
            }

            return buffer;
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
