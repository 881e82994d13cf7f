namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>
/// The array of a leaf: its dtype and shape, known without reading it, and the read itself, done at most once
/// (a lazily opened file reads an array only when its statistics or values are asked for).
/// </summary>
internal sealed class LeafArray(DType dtype, Shape shape, Func<NdArray> read)
{
    private NdArray? _array;

    /// <summary>An array already in memory.</summary>
    public LeafArray(NdArray array)
        : this(array.DType, array.Shape, () => array)
    {
        _array = array;
    }

    public DType DType { get; } = dtype;

    public Shape Shape { get; } = shape;

    public long Length => Shape.ElementCount;

    public long ByteLength => Length * DType.ItemSize;

    /// <summary>The elements: read on the first call, the same array after.</summary>
    public NdArray Read() => _array ??= read();
}
