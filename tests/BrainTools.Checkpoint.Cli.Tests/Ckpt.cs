using System.Diagnostics;
using System.Reflection;

namespace BrainTools.Checkpoint.Cli.Tests;

/// <summary>Runs the built <c>ckpt</c> tool as a process (stdout and stderr redirected, so its output is plain text).</summary>
internal static class Ckpt
{
    private static readonly string ToolPath = Path.GetFullPath(typeof(Ckpt).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CkptPath").Value!);

    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
    }

    public static Result Run(params string[] args) => RunWith(new Dictionary<string, string?>(), args);

    /// <summary>Runs the tool with these environment variables set (null: removed); no Azure connection string unless given.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        Assert.True(File.Exists(ToolPath), $"ckpt is not built at {ToolPath}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["CKPT_DEBUG"] = null;
        start.Environment["AZURE_STORAGE_CONNECTION_STRING"] = null;
        foreach ((string name, string? value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ckpt {string.Join(' ', args)} did not finish");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Asserts that an output holds no .NET stack trace.</summary>
    public static void NoStackTrace(Result result)
    {
        Assert.DoesNotContain("   at ", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", result.Error, StringComparison.Ordinal);
    }
}
