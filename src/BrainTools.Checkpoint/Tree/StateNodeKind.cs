namespace BrainTools.Checkpoint;

/// <summary>What a <see cref="StateNode"/> holds; one kind for each distinction the msgpack wire makes.</summary>
public enum StateNodeKind
{
    /// <summary>A map of string keys (Python dict, and list/tuple/namedtuple saved as maps).</summary>
    Map,

    /// <summary>Python <c>None</c> (msgpack nil); <see cref="StateValue.Value"/> is <c>null</c>.</summary>
    Nil,

    /// <summary>Python <c>bool</c>; the value is a <see cref="bool"/>.</summary>
    Bool,

    /// <summary>Python <c>int</c>; the value is a <see cref="long"/>, or a <see cref="ulong"/> above <see cref="long.MaxValue"/>.</summary>
    Int,

    /// <summary>Python <c>float</c> (msgpack float 64); the value is a <see cref="double"/>.</summary>
    Float,

    /// <summary>Python <c>complex</c> (ext 2); the value is a <see cref="System.Numerics.Complex"/>.</summary>
    Complex,

    /// <summary>Python <c>str</c>; the value is a <see cref="string"/>.</summary>
    String,

    /// <summary>Python <c>bytes</c> (msgpack bin); the value is a <see cref="byte"/> array.</summary>
    Bytes,

    /// <summary>numpy / jax array (ext 1); the value is an <see cref="Checkpoint.NdArray"/>.</summary>
    NdArray,

    /// <summary>numpy scalar (ext 3); the value is a <see cref="Checkpoint.NumpyScalar"/>.</summary>
    NumpyScalar,

    /// <summary>An ext type this library does not interpret; the value is an <see cref="ExtensionValue"/>.</summary>
    Extension,
}
