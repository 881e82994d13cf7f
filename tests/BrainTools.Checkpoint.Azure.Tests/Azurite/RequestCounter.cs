using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace BrainTools.Checkpoint.Azure.Testing;

/// <summary>
/// Counts the HTTP requests a client sends, each try of a retry included: what the service really saw, not what the
/// code under test believes it asked. Add it to client options with <see cref="CreateClientOptions"/>.
/// </summary>
public sealed class RequestCounter : HttpPipelineSynchronousPolicy
{
    private int count;

    /// <summary>Every request sent, in order: method and the <c>Range</c> header (empty when none).</summary>
    public ConcurrentQueue<(string Method, string Range)> Requests { get; } = new();

    /// <summary>Requests sent since the last <see cref="Reset"/>.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>The package's client options with this counter on every try.</summary>
    public BlobClientOptions CreateClientOptions()
    {
        BlobClientOptions options = MsgpackBlob.CreateClientOptions();
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return options;
    }

    public void Reset()
    {
        Requests.Clear();
        Volatile.Write(ref count, 0);
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref count);
        string range = message.Request.Headers.TryGetValue("x-ms-range", out string? xms) ? xms
            : message.Request.Headers.TryGetValue("Range", out string? plain) ? plain : string.Empty;
        Requests.Enqueue((message.Request.Method.ToString(), range));
    }
}
