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

    /// <summary>The checksum of a file, read in one pass.</summary>
    /// <param name="path">The file.</param>
    /// <param name="progress">Receives the bytes hashed, window by window.</param>
    public static string Compute(string path, IProgress<long>? progress = null)
    {
        var hash = new XxHash3();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
                progress?.Report(read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return Format(hash.GetCurrentHashAsUInt64());
    }
}
