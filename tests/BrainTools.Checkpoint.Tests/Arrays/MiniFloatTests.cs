namespace BrainTools.Checkpoint.Tests.Arrays;

/// <summary>
/// float8_e4m3fn, float8_e5m2 and bfloat16 against their format definitions, over every bit pattern: decoding,
/// encode(decode(x)) == x, ties to even between every pair of neighbours, overflow and underflow.
/// </summary>
public class MiniFloatTests
{
    public static TheoryData<string> Float8Formats => ["float8_e4m3fn", "float8_e5m2"];

    [Theory]
    [MemberData(nameof(Float8Formats))]
    public void Decode_EveryPattern_MatchesFormatDefinition(string format)
    {
        for (int bits = 0; bits < 256; bits++)
        {
            float expected = Reference(format, (byte)bits);
            float actual = Decode(format, (byte)bits);

            if (float.IsNaN(expected))
            {
                Assert.True(float.IsNaN(actual), $"{format} 0x{bits:x2}: expected NaN, got {actual}");
            }
            else
            {
                Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual), $"{format} 0x{bits:x2}: expected {expected}, got {actual}");
            }
        }
    }

    [Theory]
    [InlineData("float8_e4m3fn", 0x7E, 448f)]
    [InlineData("float8_e4m3fn", 0x08, 0.015625f)] // smallest normal, 2^-6
    [InlineData("float8_e4m3fn", 0x01, 0.001953125f)] // smallest subnormal, 2^-9
    [InlineData("float8_e4m3fn", 0x38, 1f)]
    [InlineData("float8_e4m3fn", 0xB8, -1f)]
    [InlineData("float8_e4m3fn", 0x78, 256f)] // exponent all ones is finite in the "fn" format
    [InlineData("float8_e5m2", 0x7B, 57344f)]
    [InlineData("float8_e5m2", 0x04, 6.1035156e-05f)] // 2^-14
    [InlineData("float8_e5m2", 0x01, 1.5258789e-05f)] // 2^-16
    [InlineData("float8_e5m2", 0x3C, 1f)]
    [InlineData("float8_e5m2", 0x7C, float.PositiveInfinity)]
    [InlineData("float8_e5m2", 0xFC, float.NegativeInfinity)]
    public void Decode_KnownPattern_GivesValue(string format, int bits, float value)
    {
        Assert.Equal(value, Decode(format, (byte)bits));
    }

    [Theory]
    [InlineData("float8_e4m3fn", 0x7F)]
    [InlineData("float8_e4m3fn", 0xFF)]
    [InlineData("float8_e5m2", 0x7D)]
    [InlineData("float8_e5m2", 0x7E)]
    [InlineData("float8_e5m2", 0xFF)]
    public void Decode_NaNPattern_IsNaN(string format, int bits)
    {
        Assert.True(float.IsNaN(Decode(format, (byte)bits)));
    }

    [Theory]
    [MemberData(nameof(Float8Formats))]
    public void Encode_DecodedPattern_GivesPatternBack(string format)
    {
        for (int bits = 0; bits < 256; bits++)
        {
            float value = Decode(format, (byte)bits);
            if (!float.IsNaN(value))
            {
                Assert.True(Encode(format, value) == bits, $"{format} 0x{bits:x2} ({value}) encodes to 0x{Encode(format, value):x2}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Float8Formats))]
    public void Encode_NaN_GivesNaNKeepingSign(string format)
    {
        // float.NaN has its sign bit set on x86; spell both signs out.
        byte positive = Encode(format, BitConverter.UInt32BitsToSingle(0x7FC00000));
        byte negative = Encode(format, BitConverter.UInt32BitsToSingle(0xFFC00000));

        Assert.True(float.IsNaN(Decode(format, positive)));
        Assert.True(float.IsNaN(Decode(format, negative)));
        Assert.Equal(0, positive & 0x80);
        Assert.Equal(0x80, negative & 0x80);
    }

    [Theory]
    [MemberData(nameof(Float8Formats))]
    public void Encode_MidpointOfNeighbours_RoundsToEvenPattern(string format)
    {
        // Every pair of adjacent finite non-negative values, and the same negated.
        for (int bits = 0; bits < 0x7F; bits++)
        {
            float low = Decode(format, (byte)bits);
            float high = Decode(format, (byte)(bits + 1));
            if (float.IsNaN(high) || float.IsInfinity(high))
            {
                continue;
            }

            float midpoint = (low + high) / 2; // exact: a float has far more precision than 3 bits
            int even = bits % 2 == 0 ? bits : bits + 1;
            Assert.True(Encode(format, midpoint) == even, $"{format}: midpoint {midpoint} of 0x{bits:x2}/0x{bits + 1:x2} gave 0x{Encode(format, midpoint):x2}");
            Assert.Equal(even | 0x80, Encode(format, -midpoint));
            Assert.Equal(bits, Encode(format, BitDecrement(midpoint)));
            Assert.Equal(bits + 1, Encode(format, BitIncrement(midpoint)));
        }
    }

    [Theory]
    [MemberData(nameof(Float8Formats))]
    public void Encode_RandomFloats_GivesNearestValueByBruteForce(string format)
    {
        // The finite non-negative values with their patterns, and the slot past the maximum, where rounding goes
        // to infinity (e5m2, pattern 0x7C) or NaN (e4m3fn, pattern 0x7F, odd: a tie there goes down to 448).
        var candidates = new List<(double Value, int Bits)>();
        for (int bits = 0; bits < 0x80; bits++)
        {
            float value = Decode(format, (byte)bits);
            if (float.IsFinite(value))
            {
                candidates.Add((value, bits));
            }
        }

        candidates.Add(format == "float8_e4m3fn" ? (480, 0x7F) : (65536, 0x7C));
        var random = new Random(1234);
        for (int n = 0; n < 30_000; n++)
        {
            // Log-uniform over the whole range, subnormals and overflow included.
            float magnitude = (float)Math.Pow(2, (random.NextDouble() * 40) - 24);
            (double _, int nearest) = candidates.MinBy(c => (Math.Abs(c.Value - magnitude), c.Bits % 2));
            bool negative = random.Next(2) == 1;
            byte expected = (byte)(negative ? nearest | 0x80 : nearest);

            byte actual = Encode(format, negative ? -magnitude : magnitude);

            if (format == "float8_e4m3fn" && nearest == 0x7F)
            {
                Assert.True(float.IsNaN(Decode(format, actual)), $"{format}: {magnitude} should overflow to NaN, got 0x{actual:x2}");
            }
            else
            {
                Assert.True(expected == actual, $"{format}: {(negative ? -magnitude : magnitude)} gave 0x{actual:x2}, nearest is 0x{expected:x2}");
            }
        }
    }

    [Theory]
    [InlineData(447f, 0x7E)]
    [InlineData(464f, 0x7E)] // midpoint of 448 and the NaN pattern's slot: ties to even, 448
    [InlineData(-464f, 0xFE)]
    public void Encode_E4M3FNNearMaximum_RoundsToMaximum(float value, int bits)
    {
        Assert.Equal(bits, ((Float8E4M3FN)value).RawValue);
    }

    [Theory]
    [InlineData(464.00003f)]
    [InlineData(480f)]
    [InlineData(1e6f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.MaxValue)]
    public void Encode_E4M3FNOverflow_GivesNaN(float value)
    {
        var encoded = (Float8E4M3FN)value;

        Assert.True(encoded.IsNaN);
        Assert.Equal(value < 0 ? 0x80 : 0, encoded.RawValue & 0x80);
    }

    [Theory]
    [InlineData(61439.996f, 0x7B)]
    [InlineData(61440f, 0x7C)] // midpoint of 57344 and 65536: ties to even, which is infinity
    [InlineData(1e6f, 0x7C)]
    [InlineData(float.MaxValue, 0x7C)]
    [InlineData(float.PositiveInfinity, 0x7C)]
    [InlineData(float.NegativeInfinity, 0xFC)]
    [InlineData(-1e6f, 0xFC)]
    public void Encode_E5M2Overflow_GivesInfinity(float value, int bits)
    {
        Assert.Equal(bits, ((Float8E5M2)value).RawValue);
    }

    [Theory]
    [InlineData("float8_e4m3fn", 0.0009765625f, 0x00)] // half the smallest subnormal: ties to even zero
    [InlineData("float8_e4m3fn", 0.0009766f, 0x01)]
    [InlineData("float8_e4m3fn", 1e-10f, 0x00)]
    [InlineData("float8_e4m3fn", -1e-10f, 0x80)]
    [InlineData("float8_e5m2", 7.6293945e-06f, 0x00)] // 2^-17
    [InlineData("float8_e5m2", 7.63e-06f, 0x01)]
    [InlineData("float8_e5m2", -0f, 0x80)]
    public void Encode_Underflow_RoundsToZeroOrSmallestSubnormal(string format, float value, int bits)
    {
        Assert.Equal(bits, Encode(format, value));
    }

    [Fact]
    public void BFloat16_EveryPattern_DecodesToUpperHalfOfFloat()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            float value = (float)new BFloat16((ushort)bits);

            Assert.Equal((uint)bits << 16, BitConverter.SingleToUInt32Bits(value));
        }
    }

    [Fact]
    public void BFloat16_EveryNonNaNPattern_EncodesBackToItself()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            float value = (float)new BFloat16((ushort)bits);
            if (!float.IsNaN(value))
            {
                Assert.Equal(bits, ((BFloat16)value).RawValue);
            }
        }
    }

    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(0.1f, 0x3DCD)] // 0x3DCCCCCD rounds up
    [InlineData(3.140625f, 0x4049)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    [InlineData(float.NegativeInfinity, 0xFF80)]
    [InlineData(float.MaxValue, 0x7F80)] // past the largest bfloat16 by more than half a step: infinity
    [InlineData(3.3895314e38f, 0x7F7F)] // the largest bfloat16
    [InlineData(1.00390625f, 0x3F80)] // 1 + 2^-8: tie between 0x3F80 and 0x3F81, to even
    [InlineData(1.01171875f, 0x3F82)] // 1 + 3 * 2^-8: tie between 0x3F81 and 0x3F82, to even
    [InlineData(-0f, 0x8000)]
    [InlineData(9.18355e-41f, 0x0001)] // smallest subnormal
    public void BFloat16_FromFloat_RoundsToNearestEven(float value, int bits)
    {
        Assert.Equal(bits, ((BFloat16)value).RawValue);
    }

    [Theory]
    [InlineData(0x3F808001u, 0x3F81)] // one float step above the tie 1 + 2^-8: up
    [InlineData(0x3F807FFFu, 0x3F80)] // one step below it: down
    [InlineData(0x3F7FFFFFu, 0x3F80)] // the float below 1 rounds up across the exponent boundary
    public void BFloat16_FromFloatNearTie_RoundsToNearest(uint floatBits, int bits)
    {
        Assert.Equal(bits, ((BFloat16)BitConverter.UInt32BitsToSingle(floatBits)).RawValue);
    }

    [Theory]
    [InlineData(0x7FC00000u)]
    [InlineData(0x7F800001u)] // signalling NaN whose payload lives in the low half: must not become infinity
    [InlineData(0xFFC00000u)]
    [InlineData(0x7FFFFFFFu)] // rounding up must not carry a NaN into the sign bit
    public void BFloat16_FromNaN_StaysNaN(uint floatBits)
    {
        float nan = BitConverter.UInt32BitsToSingle(floatBits);
        BFloat16 encoded = (BFloat16)nan;

        Assert.True(encoded.IsNaN);
        Assert.Equal(floatBits >> 31, (uint)encoded.RawValue >> 15);
    }

    [Fact]
    public void BFloat16_CompareTo_OrdersByValue()
    {
        Assert.True(((BFloat16)1f).CompareTo((BFloat16)2f) < 0);
        Assert.Equal("1.5", ((BFloat16)1.5f).ToString());
        Assert.Equal("0.100098", ((BFloat16)0.1f).ToString());
        Assert.Equal("448", new Float8E4M3FN(0x7E).ToString());
        Assert.Equal("nan", new Float8E4M3FN(0x7F).ToString());
        Assert.Equal("-inf", new Float8E5M2(0xFC).ToString());
    }

    // The format definitions, written independently of MiniFloat: value = (-1)^s * 2^(e - bias) * (1 + m / 2^M),
    // e = 0 subnormal 2^(1 - bias) * m / 2^M. e4m3fn: bias 7, no infinities, only S.1111.111 is NaN. e5m2: bias 15, IEEE specials.
    private static float Reference(string format, byte bits)
    {
        (int exponentBits, int mantissaBits, int bias) = format == "float8_e4m3fn" ? (4, 3, 7) : (5, 2, 15);
        int sign = bits >> 7;
        int exponent = (bits >> mantissaBits) & ((1 << exponentBits) - 1);
        int mantissa = bits & ((1 << mantissaBits) - 1);
        int maxExponent = (1 << exponentBits) - 1;
        double magnitude;
        if (format == "float8_e4m3fn" && exponent == maxExponent && mantissa == 7)
        {
            magnitude = double.NaN;
        }
        else if (format == "float8_e5m2" && exponent == maxExponent)
        {
            magnitude = mantissa == 0 ? double.PositiveInfinity : double.NaN;
        }
        else if (exponent == 0)
        {
            magnitude = Math.Pow(2, 1 - bias) * mantissa / (1 << mantissaBits);
        }
        else
        {
            magnitude = Math.Pow(2, exponent - bias) * (1 + ((double)mantissa / (1 << mantissaBits)));
        }

        return (float)(sign == 1 ? -magnitude : magnitude);
    }

    private static float Decode(string format, byte bits) =>
        format == "float8_e4m3fn" ? (float)new Float8E4M3FN(bits) : (float)new Float8E5M2(bits);

    private static byte Encode(string format, float value) =>
        format == "float8_e4m3fn" ? ((Float8E4M3FN)value).RawValue : ((Float8E5M2)value).RawValue;

    private static float BitDecrement(float value) => value == 0 ? -float.Epsilon : MathF.BitDecrement(value);

    private static float BitIncrement(float value) => MathF.BitIncrement(value);
}
