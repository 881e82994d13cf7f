using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Azure.Storage.Blobs;

namespace BrainTools.Checkpoint.Azure.Testing;

/// <summary>
/// A real Azurite blob service in a child process: the version pinned in <c>tools/azurite</c> (installed by
/// <c>npm ci --prefix tools/azurite</c>), on a free loopback port, with its own data folder. Start fails with a
/// clear exception when node or Azurite is missing or the service does not come up, so a test that needs it fails.
/// Stopped by process id: <see cref="Stop"/> (SIGTERM, Azurite saves its metadata and exits) or
/// <see cref="Kill"/> (SIGKILL, as a crash); <see cref="Restart"/> starts it again on the same port and folder.
/// </summary>
internal sealed partial class AzuriteServer : IDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="AccountName"/> (public, in Azurite's docs; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly bool inMemory;
    private readonly StringBuilder output = new();
    private Process? process;

    private AzuriteServer(bool inMemory)
    {
        this.inMemory = inMemory;
        DataDirectory = Path.Combine(Path.GetTempPath(), "braintools-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    /// <summary>The folder Azurite keeps its blobs and metadata in (also its working folder when in memory).</summary>
    public string DataDirectory { get; }

    /// <summary>The loopback port the blob service listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The process id of the running service.</summary>
    public int ProcessId => process?.Id ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>The connection string of the development account on this server.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";

    /// <summary>Starts a server and waits until it accepts connections.</summary>
    /// <param name="inMemory">Keep blobs in memory (fast, lost on stop) instead of on disk (kept across <see cref="Restart"/>).</param>
    public static AzuriteServer Start(bool inMemory = false)
    {
        var server = new AzuriteServer(inMemory);
        try
        {
            server.Launch(FreePort());
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>A service client with the package's retry policy (or <paramref name="options"/>).</summary>
    public BlobServiceClient CreateServiceClient(BlobClientOptions? options = null) =>
        new(ConnectionString, options ?? MsgpackBlob.CreateClientOptions());

    /// <summary>A new container with a unique name.</summary>
    public BlobContainerClient CreateContainer(BlobClientOptions? options = null)
    {
        BlobContainerClient container = CreateServiceClient(options).GetBlobContainerClient("t" + Guid.NewGuid().ToString("N"));
        container.Create();
        return container;
    }

    /// <summary>Whether the service runs (started, not killed or stopped since).</summary>
    public bool IsRunning => process is not null;

    /// <summary>Kills the service at once (SIGKILL by process id), as a crash would.</summary>
    public void Kill()
    {
        Process running = process ?? throw new InvalidOperationException("Azurite is not running.");
        running.Kill();
        running.WaitForExit();
        running.Dispose();
        process = null;
    }

    /// <summary>Stops the service cleanly (SIGTERM by process id: Azurite saves its metadata), then kills it if it lingers.</summary>
    public void Stop()
    {
        Process running = process ?? throw new InvalidOperationException("Azurite is not running.");
        _ = SendSignal(running.Id, SigTerm);
        if (!running.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            running.Kill();
            running.WaitForExit();
        }

        running.Dispose();
        process = null;
    }

    /// <summary>Starts the service again on the same port and data folder.</summary>
    public void Restart()
    {
        if (process is not null)
        {
            Stop();
        }

        Launch(Port);
    }

    public void Dispose()
    {
        if (process is not null)
        {
            try
            {
                Kill();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string AzuriteEntryPoint()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
            {
                string main = Path.Combine(dir.FullName, "tools", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js");
                return File.Exists(main)
                    ? main
                    : throw new InvalidOperationException($"Azurite is not installed at {main}: run `npm ci --prefix tools/azurite` in {dir.FullName}.");
            }
        }

        throw new InvalidOperationException($"Cannot find the repository root above {AppContext.BaseDirectory}.");
    }

    private void Launch(int port)
    {
        Port = port;
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            AzuriteEntryPoint(), "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // Azurite refuses a --location together with --inMemoryPersistence; its working folder is the data folder then.
        start.ArgumentList.Add(inMemory ? "--inMemoryPersistence" : "--location");
        if (!inMemory)
        {
            start.ArgumentList.Add(DataDirectory);
        }

        Process started;
        try
        {
            started = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Cannot start node (needed for Azurite): " + e.Message, e);
        }

        started.OutputDataReceived += (_, e) => Record(e.Data);
        started.ErrorDataReceived += (_, e) => Record(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        WaitUntilListening(started);
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private void WaitUntilListening(Process started)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (started.HasExited)
            {
                started.WaitForExit();
                process = null;
                throw new InvalidOperationException($"Azurite exited with code {started.ExitCode} before it listened on port {Port}:\n{Output()}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        Kill();
        throw new InvalidOperationException($"Azurite did not listen on port {Port} within {StartTimeout.TotalSeconds} s:\n{Output()}");
    }

    private string Output()
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
