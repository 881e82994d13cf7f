namespace BrainTools.Checkpoint;

/// <summary>The Python type name of a node kind, as messages about other formats name values: <c>None</c>, <c>int</c>, <c>str</c>.</summary>
internal static class PythonTypeName
{
    public static string Of(StateNodeKind kind) => kind switch
    {
        StateNodeKind.Map => "map",
        StateNodeKind.Nil => "None",
        StateNodeKind.Bool => "bool",
        StateNodeKind.Int => "int",
        StateNodeKind.Float => "float",
        StateNodeKind.Complex => "complex",
        StateNodeKind.String => "str",
        StateNodeKind.Bytes => "bytes",
        StateNodeKind.NdArray => "ndarray",
        StateNodeKind.NumpyScalar => "npscalar",
        _ => "ext",
    };
}
