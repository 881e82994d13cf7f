namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// One leaf of a tree as the tool sees it: an array, a scalar or string, a quantity (a map
/// <c>{mantissa, scale, base, dim, factor}</c>) taken as one leaf whose value is its mantissa, or an empty map
/// (which holds nothing but still is part of the tree).
/// </summary>
/// <param name="Path">Keys joined by <c>/</c>; <c>.</c> for the root.</param>
/// <param name="Value">The value of a leaf that is not an array (for a quantity: a scalar mantissa); null for arrays and empty maps.</param>
/// <param name="Quantity">The quantity as the library reads it (<see cref="Quantity.FromStateDict"/>), else null.</param>
/// <param name="Array">The array of an array leaf (or an array mantissa), else null.</param>
internal sealed record Leaf(string Path, StateValue? Value, Quantity? Quantity, LeafArray? Array)
{
    /// <summary>A leaf of a tree in memory.</summary>
    public static Leaf Of(string path, StateValue value, Quantity? quantity = null) =>
        value.Value is NdArray array ? new Leaf(path, null, quantity, new LeafArray(array)) : new Leaf(path, value, quantity, null);

    /// <summary>An empty map.</summary>
    public static Leaf EmptyMap(string path) => new(path, null, null, null);

    /// <summary>The unit of a quantity, else null.</summary>
    public Unit? Unit => Quantity?.Unit;

    /// <summary>Whether this is an empty map.</summary>
    public bool IsEmptyMap => Value is null && Array is null;

    /// <summary>A short type name: <c>ndarray</c>, <c>int</c>, <c>str</c>, <c>quantity</c>, <c>map</c> (empty) ...</summary>
    public string TypeName => Unit is not null ? "quantity" : Array is not null ? "ndarray" : Value is null ? "map" : Value.Kind.PythonName();

    /// <summary>The numpy dtype of an array or numpy scalar, else the Python type.</summary>
    public string DTypeName => Array is not null ? Array.DType.Name
        : Value is null ? string.Empty
        : Value.Value is NumpyScalar s ? s.DType.Name
        : Value.Kind.PythonName();

    /// <summary>The shape of an array, <c>()</c> for a scalar, empty for non-numbers.</summary>
    public string ShapeText => Array is not null ? Array.Shape.ToString() : Value?.Value switch
    {
        NumpyScalar or long or ulong or double or bool or System.Numerics.Complex => "()",
        _ => string.Empty,
    };

    /// <summary>Bytes of the payload: array elements, a scalar's size, a string's UTF-8 length.</summary>
    public long ByteSize => Array is not null ? Array.ByteLength : Value?.Value switch
    {
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
    public long Parameters => Array is not null ? Array.Length : Value?.Value is NumpyScalar ? 1 : 0;

    /// <summary>Describes the leaf's type for messages: <c>float32 (2, 2)</c>, <c>int</c>, <c>quantity float [ms]</c>.</summary>
    public string Describe()
    {
        string core = Array is not null ? $"{Array.DType} {Array.Shape}" : Value is null ? "empty map" : DTypeName;
        return Unit is null ? core : $"quantity {core} [{Unit}]";
    }
}
