namespace BrainTools.Checkpoint;

/// <summary>Names of node kinds for messages and tools.</summary>
public static class StateNodeKindNames
{
    /// <summary>
    /// The Python type name of a node kind, as braintools' users know the values: <c>map</c>, <c>None</c>, <c>bool</c>,
    /// <c>int</c>, <c>float</c>, <c>complex</c>, <c>str</c>, <c>bytes</c>, <c>ndarray</c>, <c>npscalar</c>, <c>ext</c>.
    /// </summary>
    public static string PythonName(this StateNodeKind kind) => kind switch
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
