using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace BrainTools.Checkpoint.CrashChild;

/// <summary>
/// The checkpoint the crash tests write and check: a large float32 array whose values follow from the writer and
/// the generation, with both and the array's XXH3-64 stored beside it, so any mix of two files is detected.
/// </summary>
public static class CrashModel
{
    [ThreadStatic]
    private static float[]? s_data;

    [ThreadStatic]
    private static int s_writer;

    [ThreadStatic]
    private static long s_generation;

    /// <summary>
    /// Builds the model of <paramref name="writer"/>'s generation <paramref name="generation"/>. The array is reused
    /// (advanced in place) by the next call on the same thread: save the model before building the next one.
    /// </summary>
    public static Dictionary<string, object> Create(int writer, long generation, int megabytes)
    {
        int length = megabytes * (1 << 20) / sizeof(float);
        float value = (generation * 7) + writer;
        if (s_data is null || s_data.Length != length || s_writer != writer || s_generation != generation - 1)
        {
            s_data = new float[length];
            for (int i = 0; i < length; i++)
            {
                s_data[i] = value + (i & 1023);
            }
        }
        else
        {
            // In place and vectorized, so that building the model takes little of a save cycle and most kills land in the write.
            TensorPrimitives.Add(s_data, 7f, s_data);
        }

        s_writer = writer;
        s_generation = generation;
        return new Dictionary<string, object>
        {
            ["marker"] = generation,
            ["writer"] = writer,
            ["checksum"] = (long)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(s_data.AsSpan())),
            ["data"] = s_data,
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
