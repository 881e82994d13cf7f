using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class RuntimeTests
{
    [Fact]
    public void Libtorch_Loads_AndComputes()
    {
        using Tensor a = tensor(new float[] { 1, 2, 3 });
        using Tensor b = a * 2;

        Assert.Equal(new float[] { 2, 4, 6 }, b.data<float>().ToArray());
    }
}
