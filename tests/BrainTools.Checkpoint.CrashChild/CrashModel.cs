using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.CrashChild;

/// <summary>
/// The checkpoint the crash tests write and check: a large float32 array whose values follow from the writer and
/// the generation, with both and the array's XXH3-64 stored beside it, so any mix of two files is detected.
/// </summary>
public static class CrashModel
{
    /// <summary>Builds the model of <paramref name="writer"/>'s generation <paramref name="generation"/>.</summary>
    public static Dictionary<string, object> Create(int writer, long generation, int megabytes)
    {
        var data = new float[megabytes * (1 << 20) / sizeof(float)];
        float baseValue = (generation * 7) + writer;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = baseValue + (i & 1023);
        }

        return new Dictionary<string, object>
        {
            ["marker"] = generation,
            ["writer"] = writer,
            ["checksum"] = (long)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(data.AsSpan())),
            ["data"] = data,
        };
    }

    /// <summary>Checks a loaded model: the array has the stored checksum and the values its writer and generation give.</summary>
    /// <returns>The writer and the generation.</returns>
    /// <exception cref="InvalidDataException">The content is inconsistent.</exception>
    public static (int Writer, long Generation) Verify(StateNode tree)
    {
        long generation = (long)tree["marker"];
        int writer = (int)tree["writer"];
        NdArray data = tree["data"].AsArray();
        ReadOnlySpan<byte> bytes = data.AsReadOnlySpan<byte>();
        if ((long)XxHash3.HashToUInt64(bytes) != (long)tree["checksum"])
        {
            throw new InvalidDataException($"generation {generation} of writer {writer}: the array does not match its checksum");
        }

        ReadOnlySpan<float> values = data.AsReadOnlySpan<float>();
        float baseValue = (generation * 7) + writer;
        if (values.Length == 0 || values[0] != baseValue || values[^1] != baseValue + ((values.Length - 1) & 1023))
        {
            throw new InvalidDataException($"generation {generation} of writer {writer}: the array holds another generation's values");
        }

        return (writer, generation);
    }
}
