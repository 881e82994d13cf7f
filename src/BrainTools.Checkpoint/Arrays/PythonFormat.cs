using System.Globalization;
using System.Text;

namespace BrainTools.Checkpoint;

/// <summary>Formats values the way Python's <c>repr</c> does, so printed trees look familiar to Python users.</summary>
internal static class PythonFormat
{
    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, <c>1.0</c>, <c>1e-05</c>, <c>inf</c>, <c>nan</c>.</summary>
    public static string Float(double value) => FloatCore(value, forcePoint: true);

    /// <summary>As <see cref="Float"/> without the <c>.0</c> of whole numbers: <c>10</c>, <c>0.5</c>, <c>1e-05</c> (for quantities: <c>10 ms</c>).</summary>
    public static string Number(double value) => FloatCore(value, forcePoint: false);

    /// <summary>Python's <c>repr(complex)</c>: <c>(1.5-2j)</c>, or <c>2j</c> when the real part is +0.</summary>
    public static string Complex(double real, double imaginary)
    {
        string im = FloatCore(imaginary, forcePoint: false);
        if (real == 0 && !double.IsNegative(real))
        {
            return im + "j";
        }

        string sign = imaginary >= 0 || double.IsNaN(imaginary) ? "+" : string.Empty;
        return $"({FloatCore(real, forcePoint: false)}{sign}{im}j)";
    }

    /// <summary>Python's <c>repr(str)</c> with single quotes.</summary>
    public static string String(string value)
    {
        char quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder(value.Length + 2).Append(quote);
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7F)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append(quote).ToString();
    }

    /// <summary>Python's <c>repr(bytes)</c>: <c>b'ab\x00'</c>.</summary>
    public static string Bytes(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder(value.Length + 3).Append("b'");
        foreach (byte b in value)
        {
            if (b == (byte)'\\' || b == (byte)'\'')
            {
                builder.Append('\\').Append((char)b);
            }
            else if (b is >= 0x20 and < 0x7F)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return builder.Append('\'').ToString();
    }

    private static string FloatCore(double value, bool forcePoint)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // "R" gives the shortest round-trip digits; take them and exponent and lay them out as Python does.
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }

        int exponentIndex = shortest.IndexOfAny(['E', 'e']);
        string mantissa = exponentIndex < 0 ? shortest : shortest[..exponentIndex];
        int exponent = exponentIndex < 0 ? 0 : int.Parse(shortest[(exponentIndex + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        int pointPosition = (point < 0 ? mantissa.Length : point) + exponent;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..];
        pointPosition -= leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
            pointPosition = 1;
        }

        // Python: decimal exponent of the first digit in [-4, 16) is printed fixed, else scientific.
        int decimalExponent = pointPosition - 1;
        string body;
        if (decimalExponent is >= -4 and < 16)
        {
            if (pointPosition <= 0)
            {
                body = "0." + new string('0', -pointPosition) + digits;
            }
            else if (pointPosition >= digits.Length)
            {
                body = digits + new string('0', pointPosition - digits.Length) + (forcePoint ? ".0" : string.Empty);
            }
            else
            {
                body = digits[..pointPosition] + "." + digits[pointPosition..];
            }
        }
        else
        {
            string head = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            string sign = decimalExponent < 0 ? "-" : "+";
            body = head + "e" + sign + Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture);
        }

        return negative ? "-" + body : body;
    }
}
