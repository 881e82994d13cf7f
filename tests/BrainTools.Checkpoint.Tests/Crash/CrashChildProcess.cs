using System.Diagnostics;
using System.Globalization;

namespace BrainTools.Checkpoint.Tests.Crash;

/// <summary>A running BrainTools.Checkpoint.CrashChild: started with <c>dotnet</c>, read line by line, killed hard.</summary>
internal sealed class CrashChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _lines = new(0);
    private readonly ManualResetEventSlim _ready = new();
    private long _lastSaved = -1;
    private string _errors = string.Empty;

    private CrashChildProcess(Process process) => _process = process;

    /// <summary>The last number the child reported as saved, or -1.</summary>
    public long LastSaved => Interlocked.Read(ref _lastSaved);

    public static CrashChildProcess Start(params string[] args)
    {
        string child = Path.Combine(AppContext.BaseDirectory, "BrainTools.Checkpoint.CrashChild.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(child);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var wrapper = new CrashChildProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                wrapper._errors += e.Data + "\n";
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Waits until the child has started its loop.</summary>
    public void WaitReady(TimeSpan timeout)
    {
        if (!_ready.Wait(timeout))
        {
            throw new TimeoutException($"The crash child did not start: {_errors}");
        }
    }

    /// <summary>Waits until the child reports a save numbered <paramref name="atLeast"/> or more.</summary>
    public void WaitSaved(long atLeast, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (LastSaved < atLeast)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The crash child exited with {_process.ExitCode}: {_errors}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The crash child did not save {atLeast} in {timeout} (last {LastSaved}): {_errors}");
            }

            _lines.Wait(50);
        }
    }

    /// <summary>Kills the child at once (SIGKILL on Unix), as a pre-emption does, and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line == "ready")
        {
            _ready.Set();
        }
        else if (line.StartsWith("saved ", StringComparison.Ordinal))
        {
            Interlocked.Exchange(ref _lastSaved, long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture));
        }

        _lines.Release();
    }
}
