namespace BrainTools.Checkpoint;

/// <summary>
/// The safetensors dtype names of the library's dtypes. safetensors has no complex128, and names complex64 <c>C64</c>
/// (since safetensors 0.7; older readers refuse such files).
/// </summary>
internal static class SafetensorsDTypes
{
    private static readonly (DType DType, string Name)[] Names =
    [
        (DType.Bool, "BOOL"), (DType.UInt8, "U8"), (DType.Int8, "I8"), (DType.Int16, "I16"), (DType.UInt16, "U16"),
        (DType.Int32, "I32"), (DType.UInt32, "U32"), (DType.Int64, "I64"), (DType.UInt64, "U64"),
        (DType.Float16, "F16"), (DType.BFloat16, "BF16"), (DType.Float32, "F32"), (DType.Float64, "F64"),
        (DType.Float8E4M3FN, "F8_E4M3"), (DType.Float8E5M2, "F8_E5M2"), (DType.Complex64, "C64"),
    ];

    /// <summary>The safetensors name of <paramref name="dtype"/>, or null when safetensors has none.</summary>
    public static string? NameOf(DType dtype) => Array.Find(Names, d => d.DType == dtype).Name;

    /// <summary>The dtype of a safetensors name, or null for names the library does not read.</summary>
    public static DType? FromName(string name) => Array.Find(Names, d => d.Name == name).DType;
}
