using BrainTools.Checkpoint;

namespace BrainTools.Tutorial;

/// <summary>The tutorial's <c>SimpleModel(brainstate.nn.Module)</c>: its States are found by member name (snake_case).</summary>
internal sealed class SimpleModel : Module
{
    public ParamState<float[,]> Weight { get; } = new(new float[,] { { 1.0f, 2.0f }, { 3.0f, 4.0f } });

    public ParamState<float[]> Bias { get; } = new([0.1f, 0.2f]);

    public State<float[]> RunningMean { get; } = new([0.0f, 0.0f]);
}
