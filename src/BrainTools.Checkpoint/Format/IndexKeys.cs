using System.Globalization;
using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The keys of list entries (flax writes a list as a map keyed "0", "1", ...) as strings made once per process: a
/// model's layers would otherwise decode and allocate each index again on every load, and crowd the keys that
/// repeat within each layer ("weight", "bias") out of the walk's cache of recent keys.
/// </summary>
internal static class IndexKeys
{
    private const int Count = 4096;

    // Filled on first use; a race makes the same string twice, which is harmless.
    private static readonly string?[] Keys = new string?[Count];

    /// <summary>The string of a key that is a list index below 4096 written as Python writes it (no sign, no leading zero); else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? Find(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Length > 4 || (utf8[0] == (byte)'0' && utf8.Length > 1))
        {
            return null;
        }

        int value = 0;
        foreach (byte b in utf8)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return null;
            }

            value = (value * 10) + (int)digit;
        }

        return value < Count ? Keys[value] ??= value.ToString(CultureInfo.InvariantCulture) : null;
    }
}
