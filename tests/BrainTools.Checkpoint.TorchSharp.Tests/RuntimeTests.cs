using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Tests;

public sealed class RuntimeTests
{
    [Fact]
    public void Libtorch_Loads_AndComputes()
    {
        float[] doubled;
        try
        {
            using Tensor a = tensor(new float[] { 1, 2, 3 });
            using Tensor b = a * 2;
            doubled = b.data<float>().ToArray();
        }
        catch (TypeInitializationException error)
        {
            // Fails, never skips: say how to get a runtime where the system's libstdc++ is too old (Debian 12).
            Assert.Fail("libtorch did not load. On a distribution older than GCC 13's libstdc++ (GLIBCXX_3.4.32), run "
                + "scripts/setup-libtorch-runtime.sh once; it sets up the runtime these tests start through (docs/torchsharp.md). "
                + error.InnerException?.Message);
            throw;
        }

        Assert.Equal(new float[] { 2, 4, 6 }, doubled);
    }
}
