namespace BrainTools.Checkpoint;

/// <summary>The family of a <see cref="DType"/>, as numpy's <c>dtype.kind</c> groups them.</summary>
public enum DTypeKind
{
    /// <summary>Booleans (<c>b</c>).</summary>
    Bool,

    /// <summary>Signed integers (<c>i</c>).</summary>
    SignedInteger,

    /// <summary>Unsigned integers (<c>u</c>).</summary>
    UnsignedInteger,

    /// <summary>Binary floating point, including bfloat16 and the float8 formats (<c>f</c>, <c>V</c> for ml_dtypes).</summary>
    Float,

    /// <summary>Complex numbers of two floats (<c>c</c>).</summary>
    Complex,
}
