namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// One leaf of a tree as the tool sees it: a raw leaf, or a quantity (a map <c>{mantissa, scale, base, dim, factor}</c>)
/// taken as one leaf whose value is its mantissa, or an empty map (which holds nothing but still is part of the tree).
/// </summary>
/// <param name="Path">Keys joined by <c>/</c>.</param>
/// <param name="Node">The raw node (for a quantity: the whole map).</param>
/// <param name="Value">The value leaf (for a quantity: its mantissa); null for an empty map.</param>
/// <param name="Quantity">The quantity as the library reads it (<see cref="Quantity.FromStateDict"/>), else null.</param>
internal sealed record Leaf(string Path, StateNode Node, StateValue? Value, Quantity? Quantity)
{
    /// <summary>The unit of a quantity, else null.</summary>
    public Unit? Unit => Quantity?.Unit;

    /// <summary>The array of the leaf (an ndarray leaf or an array mantissa), else null.</summary>
    public NdArray? Array => Value?.Value as NdArray;

    /// <summary>A short type name: <c>ndarray</c>, <c>int</c>, <c>str</c>, <c>quantity</c>, <c>map</c> (empty) ...</summary>
    public string TypeName => Unit is not null ? "quantity" : Value is null ? "map" : KindName(Value.Kind);

    /// <summary>The numpy dtype of an array or numpy scalar, else the Python type.</summary>
    public string DTypeName => Value?.Value switch
    {
        NdArray a => a.DType.Name,
        NumpyScalar s => s.DType.Name,
        null when Value is null => string.Empty,
        _ => KindName(Value!.Kind),
    };

    /// <summary>The shape of an array, <c>()</c> for a scalar, empty for non-numbers.</summary>
    public string ShapeText => Value?.Value switch
    {
        NdArray a => a.Shape.ToString(),
        NumpyScalar or long or ulong or double or bool or System.Numerics.Complex => "()",
        _ => string.Empty,
    };

    /// <summary>Bytes of the payload: array elements, a scalar's size, a string's UTF-8 length.</summary>
    public long ByteSize => Value?.Value switch
    {
        NdArray a => a.ByteLength,
        NumpyScalar s => s.DType.ItemSize,
        long or ulong or double => 8,
        bool => 1,
        System.Numerics.Complex => 16,
        string s => System.Text.Encoding.UTF8.GetByteCount(s),
        byte[] b => b.Length,
        ExtensionValue e => e.Data.Length,
        _ => 0,
    };

    /// <summary>Number of parameters: elements of an array (a numpy scalar counts one).</summary>
    public long Parameters => Value?.Value switch
    {
        NdArray a => a.Length,
        NumpyScalar => 1,
        _ => 0,
    };

    public static string KindName(StateNodeKind kind) => kind switch
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

    /// <summary>Describes the leaf's type for messages: <c>float32 (2, 2)</c>, <c>int</c>, <c>quantity float [ms]</c>.</summary>
    public string Describe()
    {
        string core = Array is NdArray a ? $"{a.DType} {a.Shape}" : Value is null ? "empty map" : DTypeName;
        return Unit is null ? core : $"quantity {core} [{Unit}]";
    }
}
