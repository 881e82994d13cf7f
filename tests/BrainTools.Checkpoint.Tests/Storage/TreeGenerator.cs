using System.Numerics;

namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>Random state-dict trees from a seed: nested maps, arrays of every dtype and rank, and every scalar kind.</summary>
internal static class TreeGenerator
{
    public static StateMap Create(int seed, int maxDepth = 3, int maxArrayBytes = 4096)
    {
        var random = new Random(seed);
        return Map(random, maxDepth, maxArrayBytes);
    }

    public static NdArray RandomArray(Random random, DType dtype, Shape shape)
    {
        byte[] bytes = new byte[shape.ElementCount * dtype.ItemSize];
        random.NextBytes(bytes);
        return NdArray.FromBytes(dtype, shape, bytes);
    }

    private static StateMap Map(Random random, int depth, int maxArrayBytes)
    {
        var map = new StateMap();
        int count = random.Next(1, 6);
        for (int i = 0; i < count; i++)
        {
            string key = random.Next(4) == 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"k{i}_{random.Next(1000)}";
            map.Set(key, depth > 0 && random.Next(3) == 0 ? Map(random, depth - 1, maxArrayBytes) : Leaf(random, maxArrayBytes));
        }

        return map;
    }

    private static StateNode Leaf(Random random, int maxArrayBytes)
    {
        switch (random.Next(10))
        {
            case 0: return new StateValue(random.NextInt64(long.MinValue, long.MaxValue));
            case 1: return new StateValue(random.NextDouble() * 1e6);
            case 2: return new StateValue($"text {random.Next()}");
            case 3: return new StateValue(random.Next(2) == 0);
            case 4: return StateValue.Null;
            case 5: return new StateValue(new Complex(random.NextDouble(), -random.NextDouble()));
            case 6:
                DType scalarType = DType.All[random.Next(DType.All.Count)];
                byte[] one = new byte[scalarType.ItemSize];
                random.NextBytes(one);
                return new StateValue(NumpyScalar.FromBytes(scalarType, one));
            default:
                DType dtype = DType.All[random.Next(DType.All.Count)];
                int rank = random.Next(0, 4);
                var dims = new long[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    dims[d] = random.Next(0, 9);
                    elements *= dims[d];
                }

                if (elements * dtype.ItemSize > maxArrayBytes)
                {
                    dims = [maxArrayBytes / dtype.ItemSize];
                }

                return new StateValue(RandomArray(random, dtype, new Shape(dims)));
        }
    }
}
