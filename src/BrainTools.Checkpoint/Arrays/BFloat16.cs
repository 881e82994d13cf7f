namespace BrainTools.Checkpoint;

/// <summary>
/// bfloat16 (the upper half of a float32), kept bit-exact. Convert to and from <c>float</c>
/// explicitly; conversion from <c>float</c> rounds to nearest even like ml_dtypes.
/// </summary>
/// <param name="RawValue">The 16 bits as stored in a checkpoint.</param>
public readonly record struct BFloat16(ushort RawValue) : IComparable<BFloat16>
{
    /// <summary>Wraps raw bits.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>The value as a <c>float</c> (exact).</summary>
    public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.RawValue << 16);

    /// <summary>The nearest bfloat16 to <paramref name="value"/>; NaN stays a (quiet) NaN.</summary>
    public static explicit operator BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return new((ushort)((bits >> 16) | 0x0040));
        }

        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return new((ushort)((bits + roundingBias) >> 16));
    }

    /// <summary>Whether the value is NaN.</summary>
    public bool IsNaN => float.IsNaN((float)this);

    /// <inheritdoc />
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo((float)other);

    /// <summary>The value as ml_dtypes prints it (six significant digits: <c>0.100098</c>, <c>1</c>, <c>inf</c>).</summary>
    public override string ToString() => ElementFormat.MlDtypesFloat((float)this);
}
