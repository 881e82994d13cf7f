namespace BrainTools.Checkpoint.Tests.Storage;

public sealed class CheckpointManagerOptionsTests
{
    public static TheoryData<Func<CheckpointManagerOptions>> KeepRulesBelowOne => new()
    {
        () => new CheckpointManagerOptions { KeepLast = 0 },
        () => new CheckpointManagerOptions { KeepEvery = -1 },
        () => new CheckpointManagerOptions { KeepBest = 0 },
    };

    [Theory]
    [MemberData(nameof(KeepRulesBelowOne))]
    public void Init_KeepRuleBelowOne_ThrowsForTheValue(Func<CheckpointManagerOptions> create)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(create);

        Assert.Equal("value", error.ParamName);
    }

    [Fact]
    public void Init_KeepRulesNullOrPositive_Kept()
    {
        var options = new CheckpointManagerOptions { KeepLast = 1, KeepEvery = 10, KeepBest = null };

        Assert.Equal(1, options.KeepLast);
        Assert.Equal(10, options.KeepEvery);
        Assert.Null(options.KeepBest);
    }
}
