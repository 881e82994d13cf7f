using System.Numerics.Tensors;
using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>A restore in place reads every array kind, tensors included, by positional reads from the file into the template's memory.</summary>
public class InPlaceArraySinkTests
{
    [Fact]
    public void CopyAll_DenseAndStridedTensors_ReadFromTheFileIntoTheTensors()
    {
        using var folder = new TempDirectory();
        string file = Path.Combine(folder.Path, "t.msgpack");
        float[] values = [1, 2, 3, 4, 5, 6];
        Msgpack.Save(file, new Dictionary<string, object> { ["dense"] = NdArray.Create<float>(values, new Shape(2, 3)), ["strided"] = NdArray.Create<float>(values, new Shape(2, 3)) });
        Tensor<float> dense = Tensor.Create(new float[6], [2, 3]);
        Tensor<float> strided = Tensor.Create(new float[12], [2, 3], [6, 1]);

        using CheckpointReader reader = Msgpack.Open(file);
        StateNode state = reader.ReadMatching(new Dictionary<string, object> { ["dense"] = dense, ["strided"] = strided }, handOut: false);
        long before = reader.BytesTouched;
        var sink = new InPlaceArraySink();
        object placedDense = sink.PlaceTensor(dense, DType.Float32, state["dense"].AsArray(), TreePath.Root.Child("dense"));
        object placedStrided = sink.PlaceTensor(strided, DType.Float32, state["strided"].AsArray(), TreePath.Root.Child("strided"));
        sink.CopyAll(reader);

        Assert.Same(dense, placedDense);
        Assert.Same(strided, placedStrided);
        Assert.Equal(values, Flat(dense));
        Assert.Equal(values, Flat(strided));
        Assert.False(strided.IsDense);

        // Both arrays' bytes came through the reader's positional reads, none through the mapping.
        Assert.Equal(2 * 6 * sizeof(float), reader.BytesTouched - before);
    }

    private static float[] Flat(Tensor<float> tensor)
    {
        var flat = new float[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat;
    }
}
