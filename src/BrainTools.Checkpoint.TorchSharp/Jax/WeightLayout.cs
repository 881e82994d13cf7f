namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// How an array saved by JAX is laid out against the torch tensor it fills: an axis permutation, applied before the
/// values are copied (the torch tensor's axis <c>i</c> is the saved array's axis <c>Axes[i]</c>, as <c>permute</c>).
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>layout</term><description>saved (flax) -> torch</description></listheader>
/// <item><term><see cref="AsIs"/></term><description>same axes (biases, norms, embeddings)</description></item>
/// <item><term><see cref="Transpose"/></term><description><c>Dense</c> kernel (in, out) -> <c>Linear.weight</c> (out, in)</description></item>
/// <item><term><see cref="WioToOiw"/></term><description>1-D conv kernel (W, I, O) -> <c>Conv1d.weight</c> (O, I, W)</description></item>
/// <item><term><see cref="HwioToOihw"/></term><description>2-D conv kernel (H, W, I, O) -> <c>Conv2d.weight</c> (O, I, H, W)</description></item>
/// <item><term><see cref="DhwioToOidhw"/></term><description>3-D conv kernel (D, H, W, I, O) -> <c>Conv3d.weight</c> (O, I, D, H, W)</description></item>
/// <item><term><see cref="FlaxKernel"/></term><description>one of the four above, by the saved array's rank (2 to 5); other ranks as is</description></item>
/// </list>
/// </remarks>
public sealed class WeightLayout
{
    private WeightLayout(string name, int[]? axes)
    {
        Name = name;
        Axes = axes;
    }

    /// <summary>Same axes.</summary>
    public static WeightLayout AsIs { get; } = new("as is", []);

    /// <summary>(in, out) -> (out, in).</summary>
    public static WeightLayout Transpose { get; } = new("transpose", [1, 0]);

    /// <summary>(W, I, O) -> (O, I, W).</summary>
    public static WeightLayout WioToOiw { get; } = new("WIO -> OIW", [2, 1, 0]);

    /// <summary>(H, W, I, O) -> (O, I, H, W).</summary>
    public static WeightLayout HwioToOihw { get; } = new("HWIO -> OIHW", [3, 2, 0, 1]);

    /// <summary>(D, H, W, I, O) -> (O, I, D, H, W).</summary>
    public static WeightLayout DhwioToOidhw { get; } = new("DHWIO -> OIDHW", [4, 3, 0, 1, 2]);

    /// <summary>A flax <c>kernel</c> of any of the layers above, told apart by its rank.</summary>
    public static WeightLayout FlaxKernel { get; } = new("flax kernel", null);

    /// <summary>The permutation; null for <see cref="FlaxKernel"/>, which picks one by rank.</summary>
    public IReadOnlyList<int>? Axes { get; }

    /// <summary>A short name for reports (<c>HWIO -> OIHW</c>).</summary>
    public string Name { get; }

    /// <summary>A layout of any permutation.</summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of 0..n-1.</exception>
    public static WeightLayout Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (!axes.Order().SequenceEqual(Enumerable.Range(0, axes.Length)))
        {
            throw new ArgumentException($"({string.Join(", ", axes)}) is not a permutation of the axes.", nameof(axes));
        }

        return new WeightLayout($"permute ({string.Join(", ", axes)})", axes);
    }

    /// <summary>The concrete layout for an array of <paramref name="rank"/> dimensions: <see cref="FlaxKernel"/> picks one, the others are themselves.</summary>
    internal WeightLayout For(int rank) => Axes is not null ? this : rank switch
    {
        2 => Transpose,
        3 => WioToOiw,
        4 => HwioToOihw,
        5 => DhwioToOidhw,
        _ => AsIs,
    };

    /// <summary>The permutation for an array of <paramref name="rank"/> dimensions, or null when this layout does not apply to it.</summary>
    internal int[]? AxesFor(int rank)
    {
        IReadOnlyList<int> axes = For(rank).Axes!;
        if (axes.Count == 0)
        {
            return [.. Enumerable.Range(0, rank)];
        }

        return axes.Count == rank ? [.. axes] : null;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
