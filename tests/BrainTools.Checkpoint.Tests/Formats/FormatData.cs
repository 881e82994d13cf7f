namespace BrainTools.Checkpoint.Tests.Formats;

/// <summary>The checked-in safetensors and npz files (Data/formats, made by make_damaged.py).</summary>
internal static class FormatData
{
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "formats", name);

    /// <summary>Every prefix of <paramref name="good"/> shorter than it, then <paramref name="good"/> with each byte in turn flipped.</summary>
    public static List<byte[]> TruncationsAndFlips(byte[] good)
    {
        var inputs = new List<byte[]>(2 * good.Length);
        for (int length = 0; length < good.Length; length++)
        {
            inputs.Add(good.AsSpan(0, length).ToArray());
        }

        for (int i = 0; i < good.Length; i++)
        {
            byte[] flipped = good.ToArray();
            flipped[i] ^= 0xA5;
            inputs.Add(flipped);
        }

        return inputs;
    }

    /// <summary>A version 1.0 <c>.npy</c> file: magic, header dict (padded to 64 bytes as numpy pads it), then <paramref name="data"/>.</summary>
    public static byte[] Npy(string descr, string shape, byte[] data)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header += new string(' ', (64 - ((10 + header.Length + 1) % 64)) % 64) + "\n";
        byte[] prefix = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, (byte)(header.Length >> 8)];
        return [.. prefix, .. System.Text.Encoding.Latin1.GetBytes(header), .. data];
    }
}
