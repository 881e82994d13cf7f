namespace BrainTools.Checkpoint;

/// <summary>Which metric values are best when a <see cref="CheckpointManager"/> keeps the best checkpoints.</summary>
public enum MetricMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,

    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}
