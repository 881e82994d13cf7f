namespace BrainTools.Checkpoint.Cli.Tests;

/// <summary>Paths of the interop vectors and of the committed numpy data.</summary>
internal static class Vectors
{
    public static string File(string name) => Path.Combine(InteropDirectory.Vectors, name + ".msgpack");

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>A small quantity map as brainunit saves it: <c>mantissa * 10^scale</c> in the unit of <paramref name="dim"/>.</summary>
    public static StateMap Quantity(StateNode mantissa, long scale, params long[] dim) => new()
    {
        { "mantissa", mantissa },
        { "scale", scale },
        { "base", 10.0 },
        { "dim", NdArray.FromArray(dim.Concat(new long[7 - dim.Length]).ToArray(), new Shape(7)) },
        { "factor", 1.0 },
    };
}
