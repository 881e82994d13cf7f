using Azure.Storage.Blobs;

namespace BrainTools.Checkpoint.Azure.Testing;

/// <summary>One in-memory Azurite shared by the tests of <see cref="AzuriteCollection"/>; each test makes its own container.</summary>
public sealed class AzuriteFixture : IDisposable
{
    private readonly AzuriteServer server = AzuriteServer.Start(inMemory: true);

    /// <summary>The connection string of the shared server.</summary>
    public string ConnectionString => server.ConnectionString;

    /// <summary>A new container with a unique name on the shared server.</summary>
    public BlobContainerClient CreateContainer(BlobClientOptions? options = null) => server.CreateContainer(options);

    public void Dispose() => server.Dispose();
}
