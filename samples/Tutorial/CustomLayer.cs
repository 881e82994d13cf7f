using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's <c>CustomLayer</c>: a class with its own serialization, registered in <see cref="CustomObjectSerialization"/>.</summary>
internal sealed class CustomLayer
{
    public CustomLayer(int inputSize, int outputSize)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Weights = RandomArrays.Randn(inputSize, outputSize);
        Bias = NdArray.Zeros(DType.Float32, new Shape(outputSize));
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public NdArray Weights { get; set; }

    public NdArray Bias { get; set; }
}
