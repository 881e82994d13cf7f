namespace BrainTools.Checkpoint;

/// <summary>
/// Element-wise arithmetic on array mantissas, with numpy/JAX result types: a float32 array stays float32 when
/// combined with a Python-like scalar or another float32 array; anything else computes in float64.
/// </summary>
internal static class MantissaMath
{
    /// <summary>Applies <paramref name="operation"/> to each element and a scalar (the scalar on the left when <paramref name="scalarFirst"/>).</summary>
    public static NdArray WithScalar(NdArray array, double scalar, Func<double, double, double> operation, bool scalarFirst = false)
    {
        CheckReal(array);
        int length = CheckedLength(array);
        if (array.DType == DType.Float32)
        {
            // A scalar meets a float32 array as float32 (JAX's weak typing); the double result of two float32
            // operands rounds to the float32 result, as a float32 operation would give.
            ReadOnlySpan<float> source = array.AsReadOnlySpan<float>();
            double s = (float)scalar;
            var result = new float[length];
            for (int i = 0; i < length; i++)
            {
                result[i] = (float)(scalarFirst ? operation(s, source[i]) : operation(source[i], s));
            }

            return NdArray.FromArray(result, array.Shape);
        }

        var values = ToDoubles(array);
        for (int i = 0; i < length; i++)
        {
            values[i] = scalarFirst ? operation(scalar, values[i]) : operation(values[i], scalar);
        }

        return NdArray.FromArray(values, array.Shape);
    }

    /// <summary>Applies <paramref name="operation"/> to the elements of two arrays of the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static NdArray Elementwise(NdArray left, NdArray right, Func<double, double, double> operation)
    {
        CheckReal(left);
        CheckReal(right);
        if (left.Shape != right.Shape)
        {
            throw new ArgumentException($"Array mantissas of shapes {left.Shape} and {right.Shape} cannot be combined; shapes must be equal (no broadcasting).", nameof(right));
        }

        int length = CheckedLength(left);
        if (left.DType == DType.Float32 && right.DType == DType.Float32)
        {
            ReadOnlySpan<float> a = left.AsReadOnlySpan<float>();
            ReadOnlySpan<float> b = right.AsReadOnlySpan<float>();
            var result = new float[length];
            for (int i = 0; i < length; i++)
            {
                result[i] = (float)operation(a[i], b[i]);
            }

            return NdArray.FromArray(result, left.Shape);
        }

        double[] x = ToDoubles(left);
        double[] y = ToDoubles(right);
        for (int i = 0; i < length; i++)
        {
            x[i] = operation(x[i], y[i]);
        }

        return NdArray.FromArray(x, left.Shape);
    }

    private static double[] ToDoubles(NdArray array)
    {
        int length = CheckedLength(array);
        if (array.DType == DType.Float64)
        {
            return array.AsReadOnlySpan<double>().ToArray();
        }

        var values = new double[length];
        int size = array.DType.ItemSize;
        for (int i = 0; i < length; i++)
        {
            values[i] = ElementFormat.ToDouble(array.DType, array.GetBytes((long)i * size, size));
        }

        return values;
    }

    private static void CheckReal(NdArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.DType.Kind is DTypeKind.Complex or DTypeKind.Bool)
        {
            throw new NotSupportedException($"Arithmetic on {array.DType} mantissas is not supported; use a real (integer or float) dtype.");
        }
    }

    private static int CheckedLength(NdArray array) => array.Length <= int.MaxValue
        ? (int)array.Length
        : throw new NotSupportedException($"Arithmetic on arrays of more than {int.MaxValue} elements is not supported.");
}
