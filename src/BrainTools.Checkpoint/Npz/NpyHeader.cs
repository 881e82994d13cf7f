namespace BrainTools.Checkpoint;

/// <summary>The checked header of a <c>.npy</c> member (<see cref="NpyFormat.ReadHeader"/>): what its array is, before any element is read.</summary>
/// <param name="Descr">numpy's dtype string with its byte order (<c>&lt;f4</c>, <c>|b1</c>, <c>&lt;U5</c>).</param>
/// <param name="DType">The library's dtype, or null when the member is not a numeric array (a string, an object or raw array).</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Fortran">Whether the elements are in Fortran order (a load turns them into C order).</param>
/// <param name="ByteLength">The array's bytes, checked against the member; 0 for what is not a numeric array.</param>
/// <param name="Available">The member's bytes after the header (<see cref="long.MaxValue"/> when its length is unknown).</param>
internal sealed record NpyHeader(string Descr, DType? DType, long[] Shape, bool Fortran, long ByteLength, long Available)
{
    /// <summary>Whether the member is a numeric array, so its dtype, shape and <see cref="ByteLength"/> are all a tree needs before its elements.</summary>
    public bool IsArray => DType is not null;

    /// <summary>Whether <paramref name="other"/> describes the same array (the same member read twice).</summary>
    public bool SameArray(NpyHeader other) => Descr == other.Descr && Fortran == other.Fortran && Shape.AsSpan().SequenceEqual(other.Shape);
}
