using TorchSharp;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

/// <summary>The model: Linear, BatchNorm1d, ReLU, Linear, with weights drawn from a seed.</summary>
internal static class TorchModels
{
    public static nn.Module<Tensor, Tensor> Mlp(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(
            ("fc1", nn.Linear(4, 8)),
            ("bn", nn.BatchNorm1d(8)),
            ("relu", nn.ReLU()),
            ("fc2", nn.Linear(8, 3)));
    }

    public static Tensor Inputs(long seed, long rows = 5)
    {
        manual_seed(seed);
        return randn(rows, 4);
    }

    /// <summary>A few forward passes in training mode, so BatchNorm's running statistics and its counter move off their defaults.</summary>
    public static void Warm(nn.Module<Tensor, Tensor> model, long seed)
    {
        model.train();
        using (no_grad())
        {
            for (int i = 0; i < 3; i++)
            {
                using Tensor x = Inputs(seed + i, rows: 16);
                using Tensor _ = model.call(x);
            }
        }
    }

    public static byte[] Bytes(Tensor tensor) => tensor.contiguous().bytes.ToArray();
}
