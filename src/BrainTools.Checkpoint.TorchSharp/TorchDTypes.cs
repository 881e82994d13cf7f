using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// The element types TorchSharp and numpy (with ml_dtypes) both have, one to one: a tensor of one of these
/// <see cref="ScalarType"/>s is saved as the numpy dtype beside it, bit for bit, and back.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>ScalarType</term><description>numpy dtype</description></listheader>
/// <item><term>Bool</term><description>bool</description></item>
/// <item><term>Byte</term><description>uint8</description></item>
/// <item><term>Int8</term><description>int8</description></item>
/// <item><term>Int16</term><description>int16</description></item>
/// <item><term>Int32</term><description>int32</description></item>
/// <item><term>Int64</term><description>int64</description></item>
/// <item><term>Float16</term><description>float16</description></item>
/// <item><term>BFloat16</term><description>bfloat16 (ml_dtypes)</description></item>
/// <item><term>Float32</term><description>float32</description></item>
/// <item><term>Float64</term><description>float64</description></item>
/// <item><term>ComplexFloat32</term><description>complex64</description></item>
/// <item><term>ComplexFloat64</term><description>complex128</description></item>
/// </list>
/// TorchSharp 0.107 has no uint16, uint32, uint64 or float8 types: such arrays load into an existing tensor of
/// any dtype (converted as numpy's <c>astype</c> would) but cannot become new tensors. Its quantized types
/// (QInt8, QUInt8, QInt32) have no numpy counterpart and are refused.
/// </remarks>
public static class TorchDTypes
{
    private static readonly (ScalarType Torch, DType Numpy)[] Pairs =
    [
        (ScalarType.Bool, DType.Bool),
        (ScalarType.Byte, DType.UInt8),
        (ScalarType.Int8, DType.Int8),
        (ScalarType.Int16, DType.Int16),
        (ScalarType.Int32, DType.Int32),
        (ScalarType.Int64, DType.Int64),
        (ScalarType.Float16, DType.Float16),
        (ScalarType.BFloat16, DType.BFloat16),
        (ScalarType.Float32, DType.Float32),
        (ScalarType.Float64, DType.Float64),
        (ScalarType.ComplexFloat32, DType.Complex64),
        (ScalarType.ComplexFloat64, DType.Complex128),
    ];

    /// <summary>Every pair of the table, in the order above.</summary>
    public static IReadOnlyList<(ScalarType Torch, DType Numpy)> Table => Pairs;

    /// <summary>The numpy dtype of a TorchSharp scalar type.</summary>
    /// <returns>Whether the type has a numpy counterpart.</returns>
    public static bool TryToDType(ScalarType type, [NotNullWhen(true)] out DType? dtype)
    {
        foreach ((ScalarType torchType, DType numpy) in Pairs)
        {
            if (torchType == type)
            {
                dtype = numpy;
                return true;
            }
        }

        dtype = null;
        return false;
    }

    /// <summary>The TorchSharp scalar type of a numpy dtype.</summary>
    /// <returns>Whether TorchSharp has the type.</returns>
    public static bool TryToScalarType(DType dtype, out ScalarType type)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        foreach ((ScalarType torchType, DType numpy) in Pairs)
        {
            if (numpy == dtype)
            {
                type = torchType;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>The numpy dtype of a TorchSharp scalar type.</summary>
    /// <exception cref="CheckpointException">The type has no numpy counterpart (the quantized types).</exception>
    public static DType ToDType(ScalarType type) => TryToDType(type, out DType? dtype)
        ? dtype
        : throw new CheckpointException($"TorchSharp's {type} has no numpy dtype; dequantize the tensor (or convert it) before saving.");

    /// <summary>The TorchSharp scalar type of a numpy dtype.</summary>
    /// <exception cref="CheckpointException">TorchSharp has no such type (uint16, uint32, uint64, float8).</exception>
    public static ScalarType ToScalarType(DType dtype) => TryToScalarType(dtype, out ScalarType type)
        ? type
        : throw new CheckpointException($"TorchSharp has no tensor type for numpy's {dtype.Name}; load it into an existing tensor (it is converted), or convert it first.");
}
