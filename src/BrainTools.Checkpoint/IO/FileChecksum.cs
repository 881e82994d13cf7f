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
    public static string Compute(string path)
    {
        var hash = new XxHash3();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 20, FileOptions.SequentialScan);
        hash.Append(stream);
        return Format(hash.GetCurrentHashAsUInt64());
    }
}
