using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary><c>brainstate.random.randn</c> for the samples: standard normal float32 values (Box-Muller).</summary>
internal static class RandomArrays
{
    private static readonly Random Source = new(42);

    public static NdArray Randn(int rows, int columns)
    {
        var values = new float[rows * columns];
        for (int i = 0; i < values.Length; i++)
        {
            double u1 = 1.0 - Source.NextDouble();
            double u2 = Source.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }

        return NdArray.FromArray(values, new Shape(rows, columns));
    }
}
