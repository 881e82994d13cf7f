using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace BrainTools.Checkpoint;

/// <summary>
/// A numpy element type, named as numpy names it (<c>dtype.name</c>), with the size of one element
/// and the .NET type that holds it. Instances are singletons: compare them with <c>==</c>.
/// </summary>
/// <remarks>Elements are stored little-endian, as numpy writes them on every common platform.</remarks>
public sealed class DType : IEquatable<DType>
{
    private DType(string name, int itemSize, DTypeKind kind, Type clrType)
    {
        Name = name;
        ItemSize = itemSize;
        Kind = kind;
        ClrType = clrType;
    }

    /// <summary>numpy's name of the type, as written in checkpoints (<c>"float32"</c>).</summary>
    public string Name { get; }

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; }

    /// <summary>The family of the type.</summary>
    public DTypeKind Kind { get; }

    /// <summary>The .NET type of one element (<see cref="Half"/> for float16, <see cref="BFloat16"/> for bfloat16, ...).</summary>
    public Type ClrType { get; }

    /// <summary>Whether the type is a floating-point type (float16/32/64, bfloat16, float8).</summary>
    public bool IsFloatingPoint => Kind == DTypeKind.Float;

    /// <summary>numpy <c>bool</c>: one byte, 0 or 1.</summary>
    public static DType Bool { get; } = new("bool", 1, DTypeKind.Bool, typeof(bool));

    /// <summary>numpy <c>int8</c>.</summary>
    public static DType Int8 { get; } = new("int8", 1, DTypeKind.SignedInteger, typeof(sbyte));

    /// <summary>numpy <c>int16</c>.</summary>
    public static DType Int16 { get; } = new("int16", 2, DTypeKind.SignedInteger, typeof(short));

    /// <summary>numpy <c>int32</c>.</summary>
    public static DType Int32 { get; } = new("int32", 4, DTypeKind.SignedInteger, typeof(int));

    /// <summary>numpy <c>int64</c>.</summary>
    public static DType Int64 { get; } = new("int64", 8, DTypeKind.SignedInteger, typeof(long));

    /// <summary>numpy <c>uint8</c>.</summary>
    public static DType UInt8 { get; } = new("uint8", 1, DTypeKind.UnsignedInteger, typeof(byte));

    /// <summary>numpy <c>uint16</c>.</summary>
    public static DType UInt16 { get; } = new("uint16", 2, DTypeKind.UnsignedInteger, typeof(ushort));

    /// <summary>numpy <c>uint32</c>.</summary>
    public static DType UInt32 { get; } = new("uint32", 4, DTypeKind.UnsignedInteger, typeof(uint));

    /// <summary>numpy <c>uint64</c>.</summary>
    public static DType UInt64 { get; } = new("uint64", 8, DTypeKind.UnsignedInteger, typeof(ulong));

    /// <summary>numpy <c>float16</c>, held as <see cref="Half"/>.</summary>
    public static DType Float16 { get; } = new("float16", 2, DTypeKind.Float, typeof(Half));

    /// <summary>numpy <c>float32</c>.</summary>
    public static DType Float32 { get; } = new("float32", 4, DTypeKind.Float, typeof(float));

    /// <summary>numpy <c>float64</c>.</summary>
    public static DType Float64 { get; } = new("float64", 8, DTypeKind.Float, typeof(double));

    /// <summary>numpy <c>complex64</c>: two float32, held as <see cref="Complex64"/>.</summary>
    public static DType Complex64 { get; } = new("complex64", 8, DTypeKind.Complex, typeof(Complex64));

    /// <summary>numpy <c>complex128</c>: two float64, held as <see cref="Complex"/>.</summary>
    public static DType Complex128 { get; } = new("complex128", 16, DTypeKind.Complex, typeof(Complex));

    /// <summary>ml_dtypes <c>bfloat16</c>, kept bit-exact as <see cref="BFloat16"/>.</summary>
    public static DType BFloat16 { get; } = new("bfloat16", 2, DTypeKind.Float, typeof(BFloat16));

    /// <summary>ml_dtypes <c>float8_e4m3fn</c>, kept bit-exact as <see cref="Float8E4M3FN"/>.</summary>
    public static DType Float8E4M3FN { get; } = new("float8_e4m3fn", 1, DTypeKind.Float, typeof(Float8E4M3FN));

    /// <summary>ml_dtypes <c>float8_e5m2</c>, kept bit-exact as <see cref="Float8E5M2"/>.</summary>
    public static DType Float8E5M2 { get; } = new("float8_e5m2", 1, DTypeKind.Float, typeof(Float8E5M2));

    /// <summary>Every supported type, in the order of the table above.</summary>
    public static IReadOnlyList<DType> All { get; } =
    [
        Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64,
        Float16, Float32, Float64, Complex64, Complex128, BFloat16, Float8E4M3FN, Float8E5M2,
    ];

    private static readonly FrozenDictionary<string, DType> ByName = All.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, DType> ByClrType = All.ToFrozenDictionary(d => d.ClrType);

    /// <summary>Finds a type by its numpy name.</summary>
    /// <param name="name">numpy's <c>dtype.name</c>, such as <c>"float32"</c>.</param>
    /// <param name="dtype">The type, when the name is known.</param>
    /// <returns>Whether the name is a supported dtype.</returns>
    public static bool TryFromName(string name, [NotNullWhen(true)] out DType? dtype) => ByName.TryGetValue(name, out dtype);

    /// <summary>Finds a type by its numpy name.</summary>
    /// <exception cref="ArgumentException">The name is not a supported dtype.</exception>
    public static DType FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryFromName(name, out DType? dtype)
            ? dtype
            : throw new ArgumentException($"Unsupported dtype '{name}'. Supported: {string.Join(", ", All.Select(d => d.Name))}.", nameof(name));
    }

    /// <summary>Finds the dtype whose elements a .NET type holds (<c>float</c> is float32, <see cref="Half"/> float16).</summary>
    /// <param name="type">An element type such as <c>typeof(float)</c>.</param>
    /// <param name="dtype">The dtype, when the type is an element type.</param>
    /// <returns>Whether <paramref name="type"/> is an element type.</returns>
    public static bool TryFromClrType(Type type, [NotNullWhen(true)] out DType? dtype) => ByClrType.TryGetValue(type, out dtype);

    /// <summary>The dtype of the .NET element type <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an element type.</exception>
    public static DType Of<T>() => TryFromClrType(typeof(T), out DType? dtype)
        ? dtype
        : throw new NotSupportedException($"{typeof(T)} is not an array element type; supported: {string.Join(", ", All.Select(d => d.ClrType.Name))}.");

    /// <inheritdoc />
    public bool Equals(DType? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>The numpy name.</summary>
    public override string ToString() => Name;
}
