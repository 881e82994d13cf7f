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

    /// <summary>The checksum of a checkpoint's bytes wherever they are kept, read in one pass from start to end.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="progress">Receives the bytes hashed, window by window.</param>
    /// <exception cref="IOException">The source ended before its length.</exception>
    public static string Compute(ICheckpointSource source, IProgress<long>? progress = null)
    {
        var hash = new XxHash3();
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1 << 20, source.PreferredReadSize));
        try
        {
            for (long offset = 0; offset < source.Length;)
            {
                int read = source.ReadAt(offset, buffer.AsSpan(0, (int)Math.Min(buffer.Length, source.Length - offset)));
                if (read == 0)
                {
                    throw new IOException($"{source.Name} shrank while it was hashed ({offset} of {source.Length} bytes).");
                }

                hash.Append(buffer.AsSpan(0, read));
                progress?.Report(read);
                offset += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return Format(hash.GetCurrentHashAsUInt64());
    }
}
