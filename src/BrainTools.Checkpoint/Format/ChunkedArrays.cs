using System.Globalization;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// flax's chunked form of an array, <c>{"__msgpack_chunked_array__": true, "shape": {"0": d0, ...}, "chunks":
/// {"0": flat array, ...}}</c> (its <c>_unchunk</c>): one check for every builder, and the join of the chunks.
/// </summary>
internal static class ChunkedArrays
{
    /// <summary>The reason for a chunk that is itself a chunked array, which flax's <c>_unchunk</c> cannot concatenate either.</summary>
    public const string NestedChunks = "a chunk of a chunked array is itself a chunked array (flax's chunks are flat arrays)";

    /// <summary>
    /// Checks a finished chunked-array map (shape, chunks <c>"0"</c>..<c>"n-1"</c> all there, one dtype, element
    /// counts agree) and returns its chunks in order. Returns what is wrong, or null.
    /// </summary>
    public static string? Validate<TBuilder, TNode, TMap>(ref TBuilder builder, TNode map, out long[] dimensions, out NdArray[] chunks)
        where TBuilder : struct, IWireBuilder<TNode, TMap>
        where TNode : class
        where TMap : class
    {
        dimensions = [];
        chunks = [];
        if (!builder.TryGetChild(map, "shape", out TNode? shape) || builder.MapCount(shape!) < 0
            || !builder.TryGetChild(map, "chunks", out TNode? parts) || builder.MapCount(parts!) < 0)
        {
            return "a chunked array needs a 'shape' map and a 'chunks' map";
        }

        var dims = new long[builder.MapCount(shape!)];
        for (int i = 0; i < dims.Length; i++)
        {
            if (!builder.TryGetChild(shape!, Key(i), out TNode? d) || !builder.TryGetInt64(d!, out long dim) || dim < 0)
            {
                return $"a chunked array's shape lacks a valid dimension \"{i}\"";
            }

            dims[i] = dim;
        }

        var arrays = new NdArray[builder.MapCount(parts!)];
        long total = 0;
        for (int i = 0; i < arrays.Length; i++)
        {
            if (!builder.TryGetChild(parts!, Key(i), out TNode? part) || !builder.TryGetArray(part!, out NdArray? array))
            {
                return $"a chunked array lacks chunk \"{i}\"";
            }

            if (i > 0 && array!.DType != arrays[0].DType)
            {
                return $"the chunks of a chunked array differ in dtype ({arrays[0].DType} and {array.DType})";
            }

            arrays[i] = array!;
            if (total > long.MaxValue - array!.Length)
            {
                return "the chunks of a chunked array hold more elements than can exist";
            }

            total += array.Length;
        }

        if (arrays.Length == 0)
        {
            return "a chunked array has no chunks";
        }

        if (!Shape.TryGetElementCount(dims, out long expected) || expected != total)
        {
            return $"a chunked array of shape ({string.Join(", ", dims)}) has {total} elements in its chunks";
        }

        dimensions = dims;
        chunks = arrays;
        return null;
    }

    /// <summary>
    /// The chunks as one array: joined in place when they are views of <paramref name="storage"/> in order (see
    /// <see cref="TryCompactInPlace"/>), else copied into memory of their own.
    /// </summary>
    public static NdArray Join(ArrayStorage? storage, long[] dimensions, NdArray[] chunks)
    {
        DType dtype = chunks[0].DType;
        if (storage is not null && TryCompactInPlace(storage, chunks))
        {
            return new NdArray(dtype, new Shape(dimensions), storage, chunks[0].ByteOffset);
        }

        long total = 0;
        foreach (NdArray chunk in chunks)
        {
            total += chunk.ByteLength;
        }

        ArrayStorage joined = NdArray.Allocate(total, zero: false);
        long offset = 0;
        foreach (NdArray chunk in chunks)
        {
            NdArray.CopyBytes(chunk, joined, offset);
            offset += chunk.ByteLength;
        }

        return new NdArray(dtype, new Shape(dimensions), joined, 0);
    }

    private static string Key(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// When the chunks are views of the memory the file was read into, in order, slides each one down over the
    /// headers between them so that they form one contiguous array where the first chunk starts: no second buffer
    /// of the array's size (a 2.4 GB chunked array loads in 2.4 GB, not 4.8). Only the chunks themselves and their
    /// msgpack headers lie in that range, and the chunk views are dropped, so nothing else sees the move.
    /// </summary>
    private static bool TryCompactInPlace(ArrayStorage storage, NdArray[] chunks)
    {
        long end = chunks[0].ByteOffset;
        foreach (NdArray chunk in chunks)
        {
            if (!ReferenceEquals(chunk.Storage, storage) || chunk.ByteOffset < end)
            {
                return false;
            }

            end = chunk.ByteOffset + chunk.ByteLength;
        }

        const int Window = 1 << 30;
        long destination = chunks[0].ByteOffset;
        foreach (NdArray chunk in chunks)
        {
            // Front to back, each window lands at or below where it was read: an overlapping move never
            // overwrites bytes it has yet to read (Span.CopyTo is a memmove).
            for (long offset = 0; offset < chunk.ByteLength; offset += Window)
            {
                int length = (int)Math.Min(Window, chunk.ByteLength - offset);
                storage.GetSpan(chunk.ByteOffset + offset, length).CopyTo(storage.GetSpan(destination + offset, length));
            }

            destination += chunk.ByteLength;
        }

        return true;
    }
}
