namespace BrainTools.Checkpoint.Format;

/// <summary>The msgpack ext type codes flax and braintools give their values.</summary>
internal static class ExtensionTypeCodes
{
    /// <summary>numpy/jax array: payload msgpack <c>[shape, dtype name, bytes]</c>.</summary>
    public const sbyte NdArray = 1;

    /// <summary>Python complex: payload msgpack <c>[real, imag]</c>.</summary>
    public const sbyte Complex = 2;

    /// <summary>numpy scalar: the ndarray payload with shape <c>[]</c>.</summary>
    public const sbyte NumpyScalar = 3;

    /// <summary>The key that marks a map as an array split into chunks.</summary>
    public const string ChunkedArrayMarker = "__msgpack_chunked_array__";
}
