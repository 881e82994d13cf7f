namespace BrainTools.Checkpoint;

/// <summary>
/// Conversions between <c>float</c> and the small binary float formats of ml_dtypes (float8), with
/// round-to-nearest-even like ml_dtypes' casts.
/// </summary>
internal static class MiniFloat
{
    /// <summary>Decodes <paramref name="bits"/> of a format with the given field widths.</summary>
    /// <param name="bits">The raw bits, sign in bit <c>exponentBits + mantissaBits</c>.</param>
    /// <param name="exponentBits">Width of the exponent field.</param>
    /// <param name="mantissaBits">Width of the mantissa field.</param>
    /// <param name="finiteOnly">The "fn" formats: no infinities, only the all-ones pattern is NaN.</param>
    public static float Decode(uint bits, int exponentBits, int mantissaBits, bool finiteOnly)
    {
        int bias = (1 << (exponentBits - 1)) - 1;
        uint maxExponent = (1u << exponentBits) - 1;
        uint mantissaMask = (1u << mantissaBits) - 1;
        bool negative = ((bits >> (exponentBits + mantissaBits)) & 1) != 0;
        uint exponent = (bits >> mantissaBits) & maxExponent;
        uint mantissa = bits & mantissaMask;
        double magnitude;
        if (exponent == maxExponent && (!finiteOnly || mantissa == mantissaMask))
        {
            magnitude = finiteOnly || mantissa != 0 ? double.NaN : double.PositiveInfinity;
        }
        else if (exponent == 0)
        {
            magnitude = Math.ScaleB(mantissa, 1 - bias - mantissaBits);
        }
        else
        {
            magnitude = Math.ScaleB((1u << mantissaBits) + mantissa, (int)exponent - bias - mantissaBits);
        }

        return (float)(negative ? -magnitude : magnitude);
    }

    /// <summary>Encodes <paramref name="value"/> with round-to-nearest-even; overflow gives infinity, or NaN where the format has none.</summary>
    public static uint Encode(float value, int exponentBits, int mantissaBits, bool finiteOnly)
    {
        int bias = (1 << (exponentBits - 1)) - 1;
        uint maxExponent = (1u << exponentBits) - 1;
        uint mantissaMask = (1u << mantissaBits) - 1;
        uint sign = float.IsNegative(value) ? 1u << (exponentBits + mantissaBits) : 0;
        uint nan = finiteOnly ? (maxExponent << mantissaBits) | mantissaMask : (maxExponent << mantissaBits) | (1u << (mantissaBits - 1));
        uint infinity = finiteOnly ? nan : maxExponent << mantissaBits;
        if (float.IsNaN(value))
        {
            return sign | nan;
        }

        double magnitude = Math.Abs((double)value);
        if (double.IsInfinity(magnitude))
        {
            return sign | infinity;
        }

        if (magnitude == 0)
        {
            return sign;
        }

        int minNormalExponent = 1 - bias;
        int exponent = Math.Max(Math.ILogB(magnitude), minNormalExponent);

        // Scaling by powers of two is exact in double, so the rounding below is the only one.
        double units = Math.Round(Math.ScaleB(magnitude, mantissaBits - exponent), MidpointRounding.ToEven);
        double rounded = Math.ScaleB(units, exponent - mantissaBits);
        int maxFiniteExponent = finiteOnly ? (int)maxExponent - bias : (int)maxExponent - 1 - bias;
        double maxFinite = finiteOnly
            ? Math.ScaleB((2u << mantissaBits) - 2, maxFiniteExponent - mantissaBits)
            : Math.ScaleB((2u << mantissaBits) - 1, maxFiniteExponent - mantissaBits);
        if (rounded > maxFinite)
        {
            return sign | infinity;
        }

        if (rounded < Math.ScaleB(1.0, minNormalExponent))
        {
            return sign | (uint)units;
        }

        int roundedExponent = Math.ILogB(rounded);
        uint mantissa = (uint)Math.ScaleB(rounded, mantissaBits - roundedExponent) & mantissaMask;
        return sign | ((uint)(roundedExponent + bias) << mantissaBits) | mantissa;
    }
}
