using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BrainTools.Checkpoint.Azure;
using BrainTools.Checkpoint.Cli.Output;

namespace BrainTools.Checkpoint.Cli.Storage;

/// <summary>
/// Where the tool's files are: a local path, or a blob URL (<c>https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB</c>,
/// or an emulator's <c>http://127.0.0.1:PORT/ACCOUNT/CONTAINER/BLOB</c>); makes the blob clients, with the credentials
/// the URL or the command line give.
/// </summary>
/// <remarks>
/// Credentials, first that applies: a SAS token in the URL (the URL is its own credential); else the connection
/// string of <c>--connection-string</c>, else of <c>AZURE_STORAGE_CONNECTION_STRING</c>, whose endpoint the URL must
/// be under; else none (a public container).
/// </remarks>
internal sealed class Locations
{
    /// <summary>The environment variable of the Azure tools that holds a storage connection string.</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    private readonly string? connectionString;
    private readonly string connectionSource;

    private Locations(string? connectionString, string connectionSource)
    {
        this.connectionString = connectionString;
        this.connectionSource = connectionSource;
    }

    /// <summary>The locations of one run: <paramref name="option"/> (<c>--connection-string</c>) or the environment's connection string.</summary>
    public static Locations From(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return new Locations(option, "--connection-string");
        }

        string? environment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        return new Locations(string.IsNullOrEmpty(environment) ? null : environment, ConnectionStringVariable);
    }

    /// <summary>Whether <paramref name="text"/> is a blob URL rather than a local path.</summary>
    public static bool IsBlobUrl(string text) =>
        text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A path as given, or a URL without its query: messages never show a SAS token.</summary>
    public static string Display(string text) =>
        IsBlobUrl(text) && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ? uri.GetLeftPart(UriPartial.Path) : text;

    /// <summary>The file name a path or URL ends with (for progress lines).</summary>
    public static string FileName(string text) => Path.GetFileName(Display(text));

    /// <summary>A client of the blob <paramref name="url"/> names, with the retry policy of checkpoint traffic.</summary>
    /// <exception cref="CliException">The URL names no container and blob, or the connection string is invalid or for another account.</exception>
    public BlockBlobClient Blob(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            throw new CliException($"not a valid URL: {Display(url)}", ExitCodes.Usage);
        }

        var parts = new BlobUriBuilder(uri);
        if (string.IsNullOrEmpty(parts.BlobContainerName) || string.IsNullOrEmpty(parts.BlobName))
        {
            throw new CliException(
                $"{Display(url)} names no blob: expected https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB (or http://127.0.0.1:PORT/ACCOUNT/CONTAINER/BLOB for an emulator)",
                ExitCodes.Usage);
        }

        BlobClientOptions options = MsgpackBlob.CreateClientOptions();
        if (!string.IsNullOrEmpty(parts.Sas?.Signature) || connectionString is null)
        {
            return new BlockBlobClient(uri, options);
        }

        BlobServiceClient service;
        try
        {
            service = new BlobServiceClient(connectionString, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new CliException($"the connection string of {connectionSource} is not valid: {Terminal.OneLine(e.Message)}", ExitCodes.Usage);
        }

        string endpoint = service.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/";
        if (!Display(url).StartsWith(endpoint, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"{Display(url)} is not in the account of the connection string of {connectionSource} ({endpoint})", ExitCodes.Usage);
        }

        return service.GetBlobContainerClient(parts.BlobContainerName).GetBlockBlobClient(parts.BlobName);
    }

    /// <summary>The store of the blob <paramref name="url"/> names (its container and the prefix up to its last <c>/</c>), and its name there.</summary>
    /// <exception cref="CliException">The URL names no container and blob, or the connection string is invalid or for another account.</exception>
    public (BlobCheckpointStore Store, string Name) Store(string url)
    {
        BlockBlobClient blob = Blob(url);
        string name = blob.Name[(blob.Name.LastIndexOf('/') + 1)..];
        return (new BlobCheckpointStore(blob.GetParentBlobContainerClient(), blob.Name[..^name.Length]), name);
    }
}
