namespace BrainTools.Checkpoint.IO;

/// <summary>Reads the rest of a stream into memory, refusing data past a size limit before reading it.</summary>
internal static class BoundedStreamReader
{
    private const int CopyBufferSize = 81920;

    /// <summary>The rest of <paramref name="stream"/> in a memory stream positioned at 0.</summary>
    /// <param name="stream">The source; read from its current position, left open.</param>
    /// <param name="maxLength">The most bytes accepted, or null for no limit.</param>
    /// <exception cref="InvalidCheckpointException">The data is longer than <paramref name="maxLength"/>.</exception>
    public static MemoryStream ReadToEnd(Stream stream, long? maxLength)
    {
        if (maxLength is long max && stream.CanSeek && stream.Length - stream.Position > max)
        {
            throw TooLarge(stream.Length - stream.Position, max);
        }

        // Sized up front when the length is known, so the buffer is not regrown (and copied) on the way.
        long known = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 0;
        var copy = known is > 0 and <= int.MaxValue ? new MemoryStream((int)known) : new MemoryStream();
        if (maxLength is null)
        {
            stream.CopyTo(copy);
            return copy;
        }

        // A stream that cannot tell its length is read only up to the limit: a hostile one cannot make us buffer more.
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxLength.Value - copy.Length + 1))) > 0)
            {
                copy.Write(buffer, 0, read);
                if (copy.Length > maxLength.Value)
                {
                    throw new InvalidCheckpointException($"the data has more than {maxLength.Value} bytes, the limit (MsgpackOptions.MaxFileSize)");
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return copy;
    }

    private static InvalidCheckpointException TooLarge(long length, long max) =>
        new($"the data has {length} bytes, more than the limit of {max} (MsgpackOptions.MaxFileSize)");
}
