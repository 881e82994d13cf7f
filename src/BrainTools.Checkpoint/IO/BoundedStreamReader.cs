using BrainTools.Checkpoint.Format;

namespace BrainTools.Checkpoint.IO;

/// <summary>
/// Reads the rest of a stream into memory for a load, bounded as a file is: no 2 GiB ceiling, the size limit
/// enforced before (a stream that knows its length) or while (one that does not) it is read, and what is plainly
/// not a checkpoint refused after its first bytes.
/// </summary>
internal static class BoundedStreamReader
{
    // Blocks of a stream of unknown length: small first (most checkpoints are small), doubling to this size.
    private const int FirstBlock = 64 << 10;
    private const int LargestBlock = 64 << 20;

    // One read call moves at most this much (Span lengths are ints).
    private const int ReadWindow = 1 << 30;

    /// <summary>The rest of <paramref name="stream"/> in memory of its own, and its length.</summary>
    /// <param name="stream">The source; read from its current position, left open.</param>
    /// <param name="options">The size limit and where native memory starts.</param>
    /// <param name="length">How many bytes were read.</param>
    /// <exception cref="InvalidCheckpointException">The data is empty, longer than <see cref="MsgpackOptions.MaxFileSize"/>, or plainly not a checkpoint.</exception>
    public static ArrayStorage Read(Stream stream, MsgpackOptions options, out long length)
    {
        long? max = options.MaxFileSize;
        if (stream.CanSeek)
        {
            length = Math.Max(0, stream.Length - stream.Position);
            if (max is long limit && length > limit)
            {
                throw new InvalidCheckpointException(WireErrors.TooLarge(length, limit), null, ".", 0);
            }

            return ReadKnownLength(stream, length, options);
        }

        return ReadUnknownLength(stream, options, out length);
    }

    private static ArrayStorage ReadKnownLength(Stream stream, long length, MsgpackOptions options)
    {
        ArrayStorage storage = CheckpointFile.Allocate(length, options);
        try
        {
            long done = 0;
            if (length > WireReader.PrefixLength)
            {
                done = Fill(stream, storage, 0, WireReader.PrefixLength, length);
                if (WireReader.CheckPrefix(StorageSequence.Create(storage, WireReader.PrefixLength), length, options) is InvalidCheckpointException refused)
                {
                    throw refused;
                }
            }

            Fill(stream, storage, done, length - done, length);
            return storage;
        }
        catch
        {
            (storage as IDisposable)?.Dispose();
            throw;
        }
    }

    // Reads exactly count bytes to storage at offset; a stream that ends first broke the length it promised.
    private static long Fill(Stream stream, ArrayStorage storage, long offset, long count, long length)
    {
        long end = offset + count;
        while (offset < end)
        {
            int read = stream.Read(storage.GetSpan(offset, (int)Math.Min(ReadWindow, end - offset)));
            if (read == 0)
            {
                throw new InvalidCheckpointException($"the data ends early (truncated): the stream ended after {offset} of the {length} bytes its length promised", null, ".", offset);
            }

            offset += read;
        }

        return end;
    }

    // Blocks of native memory, freed one by one as they are copied into the final memory: the resident peak stays
    // near the data's size plus one block, not twice it.
    private static ArrayStorage ReadUnknownLength(Stream stream, MsgpackOptions options, out long length)
    {
        long limit = options.MaxFileSize ?? long.MaxValue;
        var blocks = new List<(NativeArrayStorage Block, int Filled)>();
        try
        {
            long total = 0;
            int size = FirstBlock;
            while (true)
            {
                var block = new NativeArrayStorage(size);
                blocks.Add((block, 0));
                int filled = 0;
                while (filled < size)
                {
                    // One byte past the limit is enough to know the stream is over it.
                    long room = limit == long.MaxValue ? long.MaxValue : limit - total + 1;
                    int read = stream.Read(block.GetSpan(filled, (int)Math.Min(size - filled, room)));
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                    total += read;
                    if (total > limit)
                    {
                        throw new InvalidCheckpointException(WireErrors.TooLongStream(limit), null, ".", limit);
                    }
                }

                blocks[^1] = (block, filled);
                if (filled < size)
                {
                    break;
                }

                size = Math.Min(size * 2, LargestBlock);
            }

            length = total;
            ArrayStorage storage = CheckpointFile.Allocate(total, options);
            long at = 0;
            for (int i = 0; i < blocks.Count; i++)
            {
                (NativeArrayStorage block, int filled) = blocks[i];
                block.GetSpan(0, filled).CopyTo(storage.GetSpan(at, filled));
                at += filled;
                block.Dispose();
            }

            return storage;
        }
        finally
        {
            foreach ((NativeArrayStorage block, _) in blocks)
            {
                block.Dispose();
            }
        }
    }
}
