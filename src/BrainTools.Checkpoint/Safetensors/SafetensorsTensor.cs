namespace BrainTools.Checkpoint;

/// <summary>
/// One tensor of a safetensors file as its header describes it (<see cref="SafetensorsReader.Tensors"/>): knowing it
/// costs nothing, its bytes have not been read.
/// </summary>
/// <param name="Name">The name in the file: the keys of its tree path joined by <c>.</c> (<c>layers.0.weight</c>).</param>
/// <param name="Path">The path in the tree a load builds, as braintools writes paths: <c>./layers/0/weight</c>.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="ByteOffset">Where its bytes start in the file (from the file's start, not the header's end).</param>
/// <param name="ByteLength">How many bytes it has: elements times the item size.</param>
public sealed record SafetensorsTensor(string Name, string Path, DType DType, Shape Shape, long ByteOffset, long ByteLength)
{
    /// <summary><c>layers.0.weight: float32 (512, 256), 524288 bytes at 128</c>.</summary>
    public override string ToString() => $"{Name}: {DType} {Shape}, {ByteLength} bytes at {ByteOffset}";
}
