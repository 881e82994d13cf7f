namespace BrainTools.Checkpoint.Tests.Storage;

/// <summary>The retention rules every checkpoint manager applies (<see cref="CheckpointManagerOptions.StepsToKeep"/>).</summary>
public sealed class RetentionRuleTests
{
    private static List<CheckpointInfo> Steps(params (long Step, double? Metric)[] steps) =>
        [.. steps.Select(s => new CheckpointInfo($"c{s.Step}", $"/c{s.Step}", s.Step, DateTimeOffset.UnixEpoch, s.Metric, 1, string.Empty, string.Empty, new Dictionary<string, object>()))];

    [Fact]
    public void StepsToKeep_NoRule_KeepsEveryStep()
    {
        Assert.Equal([1L, 2L, 3L], CheckpointManagerOptions.Default.StepsToKeep(Steps((1, null), (2, null), (3, null)), 3).Order());
    }

    [Fact]
    public void StepsToKeep_KeepLastAndBest_KeepsTheirUnionWithNewestAndJustSaved()
    {
        var options = new CheckpointManagerOptions { KeepLast = 1, KeepBest = 1, BestMode = MetricMode.Min };
        List<CheckpointInfo> all = Steps((1, 0.5), (2, 0.1), (3, 0.9), (4, 0.7));

        Assert.Equal([1L, 2L, 4L], options.StepsToKeep(all, justSaved: 1).Order());
        Assert.Equal([2L, 1L, 4L, 3L], options.RankByMetric(all).Select(c => c.Step));
    }

    [Fact]
    public void RankByMetric_EqualMetrics_NewerStepFirst()
    {
        var options = new CheckpointManagerOptions { BestMode = MetricMode.Max };
        Assert.Equal([5L, 2L], options.RankByMetric(Steps((2, 1.0), (5, 1.0), (7, null))).Select(c => c.Step));
    }
}
