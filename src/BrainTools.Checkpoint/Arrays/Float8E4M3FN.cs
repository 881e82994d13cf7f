namespace BrainTools.Checkpoint;

/// <summary>
/// ml_dtypes' float8_e4m3fn (1 sign, 4 exponent, 3 mantissa bits, no infinities), kept bit-exact. Convert to and from <c>float</c> explicitly; conversions from <c>float</c>
/// round to nearest even like ml_dtypes, and values past the largest finite one become NaN.
/// </summary>
/// <param name="RawValue">The 8 bits as stored in a checkpoint.</param>
public readonly record struct Float8E4M3FN(byte RawValue) : IComparable<Float8E4M3FN>
{
    /// <summary>Wraps raw bits.</summary>
    public static Float8E4M3FN FromBits(byte bits) => new(bits);

    /// <summary>The value as a <c>float</c> (exact: every float8_e4m3fn value is a float).</summary>
    public static explicit operator float(Float8E4M3FN value) => MiniFloat.Decode(value.RawValue, 4, 3, true);

    /// <summary>The nearest float8_e4m3fn value to <paramref name="value"/>.</summary>
    public static explicit operator Float8E4M3FN(float value) => new((byte)MiniFloat.Encode(value, 4, 3, true));

    /// <summary>Whether the value is NaN.</summary>
    public bool IsNaN => float.IsNaN((float)this);

    /// <inheritdoc />
    public int CompareTo(Float8E4M3FN other) => ((float)this).CompareTo((float)other);

    /// <summary>The value as ml_dtypes prints it (six significant digits: <c>0.100098</c>, <c>1</c>, <c>inf</c>).</summary>
    public override string ToString() => ElementFormat.MlDtypesFloat((float)this);
}
