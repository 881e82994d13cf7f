using System.Numerics;

namespace BrainTools.Checkpoint;

/// <summary>numpy's complex64: a pair of float32, laid out real then imaginary.</summary>
/// <param name="Real">The real part.</param>
/// <param name="Imaginary">The imaginary part.</param>
public readonly record struct Complex64(float Real, float Imaginary)
{
    /// <summary>Widens to <see cref="Complex"/> (exact).</summary>
    public static implicit operator Complex(Complex64 value) => new(value.Real, value.Imaginary);

    /// <summary>Narrows a <see cref="Complex"/> to float32 parts.</summary>
    public static explicit operator Complex64(Complex value) => new((float)value.Real, (float)value.Imaginary);

    /// <summary>Python's form: <c>(1.5-2j)</c>.</summary>
    public override string ToString() => PythonFormat.Complex(Real, Imaginary);
}
