using System.Globalization;

namespace BrainTools.Checkpoint.Benchmarks;

/// <summary>The trees the benchmarks save and load.</summary>
public static class Models
{
    /// <summary>Bytes of one layer's weight: a float32 (1024, 1024) array, 4 MiB.</summary>
    public const int LayerBytes = 4 << 20;

    /// <summary>
    /// <c>{"layers": {"0": {"weight": float32 (1024, 1024)}, ...}}</c> with <paramref name="totalBytes"/> of weights in
    /// 4 MiB arrays, each filled (so resident) with its own values.
    /// </summary>
    /// <param name="totalBytes">Bytes of all weights, a multiple of 4 MiB.</param>
    /// <param name="shareOneArray">Use one array for every layer: a file of any size from 4 MiB of memory.</param>
    public static StateMap Layers(long totalBytes, bool shareOneArray = false)
    {
        int count = checked((int)(totalBytes / LayerBytes));
        var layers = new StateMap(count);
        NdArray? shared = null;
        for (int i = 0; i < count; i++)
        {
            NdArray weight = shareOneArray ? shared ??= Weight(1) : Weight(i + 1);
            layers.Set(i.ToString(CultureInfo.InvariantCulture), new StateMap().Set("weight", weight));
        }

        return new StateMap().Set("layers", layers);
    }

    /// <summary>
    /// <c>{"layers": {"0": {"weight": float32 (15728640,), "bias": float32 (1048576,)}, ...}}</c>: layers of 60 MiB
    /// plus 4 MiB, the shape of a large model (few, large arrays), from one shared pair of arrays.
    /// </summary>
    /// <param name="totalBytes">Bytes of all arrays, a multiple of 64 MiB.</param>
    public static StateMap LargeLayers(long totalBytes)
    {
        int count = checked((int)(totalBytes / (64L << 20)));
        NdArray weight = NdArray.FromArray(new float[(60 << 20) / sizeof(float)], new Shape((60L << 20) / sizeof(float)));
        NdArray bias = Weight(1).Reshape(new Shape((long)LayerBytes / sizeof(float)));
        var layers = new StateMap(count);
        for (int i = 0; i < count; i++)
        {
            layers.Set(i.ToString(CultureInfo.InvariantCulture), new StateMap().Set("weight", weight).Set("bias", bias));
        }

        return new StateMap().Set("layers", layers);
    }

    /// <summary>The tutorial's first checkpoint (seed_basic): weights, bias and a config map.</summary>
    public static StateMap Tutorial() => new StateMap()
        .Set("weights", NdArray.Create<float>([1f, 2f, 3f, 4f], new Shape(2L, 2L)))
        .Set("bias", NdArray.Create<float>([0.1f, 0.2f]))
        .Set("config", new StateMap().Set("learning_rate", 0.001).Set("batch_size", 32L));

    private static NdArray Weight(int seed)
    {
        var array = new float[LayerBytes / sizeof(float)];
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = seed + (i * 1e-6f);
        }

        return NdArray.FromArray(array, new Shape(1024L, 1024L));
    }
}
