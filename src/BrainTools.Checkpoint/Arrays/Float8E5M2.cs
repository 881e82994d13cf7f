namespace BrainTools.Checkpoint;

/// <summary>
/// ml_dtypes' float8_e5m2 (1 sign, 5 exponent, 2 mantissa bits, IEEE-like), kept bit-exact. Convert to and from <c>float</c> explicitly; conversions from <c>float</c>
/// round to nearest even like ml_dtypes, and values past the largest finite one become infinity.
/// </summary>
/// <param name="RawValue">The 8 bits as stored in a checkpoint.</param>
public readonly record struct Float8E5M2(byte RawValue) : IComparable<Float8E5M2>
{
    /// <summary>Wraps raw bits.</summary>
    public static Float8E5M2 FromBits(byte bits) => new(bits);

    /// <summary>The value as a <c>float</c> (exact: every float8_e5m2 value is a float).</summary>
    public static explicit operator float(Float8E5M2 value) => MiniFloat.Decode(value.RawValue, 5, 2, false);

    /// <summary>The nearest float8_e5m2 value to <paramref name="value"/>.</summary>
    public static explicit operator Float8E5M2(float value) => new((byte)MiniFloat.Encode(value, 5, 2, false));

    /// <summary>Whether the value is NaN.</summary>
    public bool IsNaN => float.IsNaN((float)this);

    /// <inheritdoc />
    public int CompareTo(Float8E5M2 other) => ((float)this).CompareTo((float)other);

    /// <summary>The value as ml_dtypes prints it (six significant digits: <c>0.100098</c>, <c>1</c>, <c>inf</c>).</summary>
    public override string ToString() => ElementFormat.MlDtypesFloat((float)this);
}
