namespace BrainTools.Checkpoint.Cli.Tests;

public class HelpTests
{
    [Theory]
    [InlineData("inspect")]
    [InlineData("diff")]
    [InlineData("verify")]
    [InlineData("convert")]
    [InlineData("check")]
    public void Help_EachCommand_ShowsUsageExamplesAndExitCodes(string command)
    {
        Ckpt.Result result = Ckpt.Run(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"ckpt {command}", result.Out, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Out, StringComparison.Ordinal);
        Assert.Contains($"  ckpt {command} ", result.Out, StringComparison.Ordinal);
        Assert.Contains("2  usage error", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_Root_ListsTheCommands()
    {
        Ckpt.Result result = Ckpt.Run("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string command in new[] { "inspect", "diff", "verify", "convert", "check" })
        {
            Assert.Contains("  " + command, result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData]
    [InlineData("frobnicate")]
    public void NoOrUnknownCommand_Exit2(params string[] args)
    {
        Ckpt.Result result = Ckpt.Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ckpt: ", result.Error, StringComparison.Ordinal);
    }
}
