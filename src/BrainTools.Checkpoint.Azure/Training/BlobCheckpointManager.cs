using System.Globalization;
using System.Reflection;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace BrainTools.Checkpoint.Azure;

/// <summary>
/// Numbered checkpoints of a training run under a prefix of a blob container (<c>runs/a/</c>), kept by the rules of
/// <see cref="CheckpointManagerOptions"/> (keep-last, keep-every, keep-best), listed in <c>{prefix}manifest.json</c> in
/// the format of <see cref="CheckpointManager"/>'s manifest.
/// </summary>
/// <remarks>
/// <para>Commit rules. Each step is saved to a blob of its own (<c>{Prefix}{step}-{id}.msgpack</c>, a fresh name per
/// save, so no save ever replaces a blob another one wrote). The step exists only once the manifest that lists it is
/// committed, and the manifest is written <c>If-Match</c> the version this manager last read (or <c>If-None-Match: *</c>
/// for the first): when two managers share a prefix, the second to commit gets a
/// <see cref="BlobCheckpointConflictException"/>, its step blob is removed, and the winner's steps are intact.
/// Blobs the rules drop are deleted only after the new manifest is committed. Recovery (<see cref="OpenAsync"/>)
/// reads the manifest alone, so blocks that were never committed and step blobs no committed manifest lists are
/// ignored.</para>
/// <para>Thread-safe: saves on one manager run one at a time.</para>
/// </remarks>
public sealed class BlobCheckpointManager
{
    private const string Extension = ".msgpack";

    private static readonly string LibraryVersion = typeof(Msgpack).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private readonly BlobContainerClient container;
    private readonly string prefix;
    private readonly BlobSaveOptions saveOptions;
    private readonly BlobLoadOptions loadOptions;
    private readonly SemaphoreSlim gate = new(1, 1);
    private List<CheckpointInfo> checkpoints;
    private ETag? manifestETag;

    private BlobCheckpointManager(BlobContainerClient container, string prefix, CheckpointManagerOptions options, BlobSaveOptions? save, BlobLoadOptions? load, List<CheckpointInfo> checkpoints, ETag? manifestETag)
    {
        this.container = container;
        this.prefix = prefix;
        Options = options;
        saveOptions = (save ?? BlobSaveOptions.Default) with { Condition = BlobCommitCondition.CreateNew, Msgpack = save?.Msgpack ?? options.Msgpack };
        loadOptions = (load ?? BlobLoadOptions.Default) with { Msgpack = load?.Msgpack ?? options.Msgpack };
        this.checkpoints = checkpoints;
        this.manifestETag = manifestETag;
    }

    /// <summary>What the steps are named and which are kept.</summary>
    public CheckpointManagerOptions Options { get; }

    /// <summary>The manifest blob, whose commit is the commit of every step.</summary>
    public Uri ManifestUri => BlobErrors.WithoutQuery(container.GetBlobClient(prefix + BlobManifest.FileName).Uri);

    /// <summary>The committed checkpoints, oldest step first; <see cref="CheckpointInfo.Path"/> is the blob's URL.</summary>
    public IReadOnlyList<CheckpointInfo> Checkpoints => Volatile.Read(ref checkpoints);

    /// <summary>The checkpoint of the highest step, or null.</summary>
    public CheckpointInfo? Latest => Checkpoints.Count == 0 ? null : Checkpoints[^1];

    /// <summary>The checkpoint with the best metric (<see cref="CheckpointManagerOptions.BestMode"/>; newer wins ties), or null.</summary>
    public CheckpointInfo? Best => Options.RankByMetric(Checkpoints).FirstOrDefault();

    /// <summary>
    /// Opens the checkpoints under <paramref name="prefix"/> of <paramref name="container"/>: reads the committed
    /// manifest (one request; none yet is an empty run).
    /// </summary>
    /// <param name="container">The container; it must exist.</param>
    /// <param name="prefix">The run's folder in the container, such as <c>runs/a/</c> (a <c>/</c> is added when missing), or empty.</param>
    /// <param name="options">Naming and keep rules; <see cref="CheckpointManagerOptions.Default"/> when null.</param>
    /// <param name="save">Block size and memory of the saves (their condition is the manager's own).</param>
    /// <param name="load">Range size and concurrency of the loads.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="BlobCheckpointNotFoundException">The container does not exist.</exception>
    /// <exception cref="InvalidCheckpointException">The manifest exists but cannot be read; names its URL.</exception>
    /// <exception cref="BlobCheckpointException">The service refused or could not be reached.</exception>
    public static async Task<BlobCheckpointManager> OpenAsync(
        BlobContainerClient container, string prefix, CheckpointManagerOptions? options = null, BlobSaveOptions? save = null, BlobLoadOptions? load = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(prefix);
        string folder = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        BlobClient manifest = container.GetBlobClient(folder + BlobManifest.FileName);
        try
        {
            Response<BlobDownloadResult> result = await manifest.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            List<CheckpointInfo> list = BlobManifest.Read(result.Value.Content.ToMemory(), file => UrlOf(container, folder, file), BlobErrors.WithoutQuery(manifest.Uri));
            list.Sort((a, b) => a.Step.CompareTo(b.Step));
            return new BlobCheckpointManager(container, folder, options ?? CheckpointManagerOptions.Default, save, load, list, result.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.BlobNotFound.ToString())
        {
            return new BlobCheckpointManager(container, folder, options ?? CheckpointManagerOptions.Default, save, load, [], null);
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            throw BlobErrors.Translate(e, manifest.Uri, "read the checkpoint manifest");
        }
    }

    /// <summary>
    /// Saves <paramref name="tree"/> as step <paramref name="step"/>: uploads its blob, commits the manifest that lists
    /// it (conditionally), then deletes the blobs the keep rules drop. Saving a step again replaces it.
    /// </summary>
    /// <returns>The committed checkpoint.</returns>
    /// <exception cref="BlobCheckpointConflictException">Another manager committed the manifest since this one read it; this step was not committed (reopen to see the other's steps).</exception>
    /// <exception cref="BlobCheckpointException">The service failed; nothing of this step was committed.</exception>
    public async Task<CheckpointInfo> SaveAsync(long step, object? tree, double? metric = null, IReadOnlyDictionary<string, object>? user = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Dictionary<string, object> fields = Normalize(user);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string file = $"{Options.Prefix}{step.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}{Extension}";
            BlobCheckpointVersion version = await BlobSave.SaveAsync(container.GetBlockBlobClient(prefix + file), tree, saveOptions, cancellationToken).ConfigureAwait(false);
            var info = new CheckpointInfo(file, version.BlobUri.ToString(), step, version.LastModified, metric is double m && double.IsFinite(m) ? m : null,
                version.Length, version.Checksum, LibraryVersion, fields);

            List<CheckpointInfo> all = [.. checkpoints.Where(c => c.Step != step), info];
            all.Sort((a, b) => a.Step.CompareTo(b.Step));
            IReadOnlySet<long> kept = Options.StepsToKeep(all, step);
            List<CheckpointInfo> keep = [.. all.Where(c => kept.Contains(c.Step))];
            List<CheckpointInfo> drop = [.. checkpoints.Where(c => !keep.Contains(c))];

            await CommitManifestAsync(keep, info, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref checkpoints, keep);

            // Only now that the manifest no longer lists them may the dropped blobs go.
            foreach (CheckpointInfo old in drop)
            {
                await TryDeleteAsync(old.File).ConfigureAwait(false);
            }

            return info;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Loads the raw state dict of <paramref name="checkpoint"/>, checking its bytes against the manifest's checksum
    /// first (unless <see cref="CheckpointManagerOptions.VerifyChecksum"/> is false).
    /// </summary>
    /// <exception cref="InvalidCheckpointException">The blob's bytes do not match the checksum, or are not a checkpoint; names the blob URL.</exception>
    /// <exception cref="BlobCheckpointNotFoundException">The step's blob is gone.</exception>
    public Task<StateNode> LoadAsync(CheckpointInfo checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string? checksum = Options.VerifyChecksum && checkpoint.Checksum.Length > 0 ? checkpoint.Checksum : null;
        return BlobLoad.LoadAsync(container.GetBlobClient(prefix + checkpoint.File), loadOptions, checksum, cancellationToken);
    }

    /// <summary>Loads the latest checkpoint, or returns null when there is none.</summary>
    /// <inheritdoc cref="LoadAsync(CheckpointInfo, CancellationToken)"/>
    public async Task<StateNode?> LoadLatestAsync(CancellationToken cancellationToken = default) =>
        Latest is { } latest ? await LoadAsync(latest, cancellationToken).ConfigureAwait(false) : null;

    private static string UrlOf(BlobContainerClient container, string folder, string file) =>
        BlobErrors.WithoutQuery(container.GetBlobClient(folder + file).Uri).ToString();

    private static Dictionary<string, object> Normalize(IReadOnlyDictionary<string, object>? user)
    {
        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object> field in user ?? new Dictionary<string, object>())
        {
            fields[field.Key] = field.Value switch
            {
                string or bool => field.Value,
                sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(field.Value, CultureInfo.InvariantCulture),
                float or double or decimal when Convert.ToDouble(field.Value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) => d,
                _ => throw new ArgumentException($"The user field '{field.Key}' must be a string, a bool or a finite number.", nameof(user)),
            };
        }

        return fields;
    }

    private async Task CommitManifestAsync(List<CheckpointInfo> keep, CheckpointInfo saved, CancellationToken cancellationToken)
    {
        BlobClient manifest = container.GetBlobClient(prefix + BlobManifest.FileName);
        var conditions = manifestETag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            Response<BlobContentInfo> committed = await manifest.UploadAsync(
                BinaryData.FromBytes(BlobManifest.Write(keep)),
                new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
                cancellationToken).ConfigureAwait(false);
            manifestETag = committed.Value.ETag;
            return;
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e) && BlobErrors.Translate(e, manifest.Uri, "commit the checkpoint manifest") is BlobCheckpointConflictException)
        {
            // A retry after a lost answer also fails its condition: the manifest then already lists this save's blob
            // (a fresh name no other save uses), and the commit did happen.
            if (await ListedManifestETagAsync(manifest, saved.File, cancellationToken).ConfigureAwait(false) is { } ours)
            {
                manifestETag = ours;
                return;
            }

            // The step blob is this save's alone and no manifest lists it: remove it.
            await TryDeleteAsync(saved.File).ConfigureAwait(false);
            throw new BlobCheckpointConflictException(
                $"Cannot commit step {saved.Step} to {ManifestUri}: another manager committed this manifest since this one read it; "
                + "its steps are kept and this step was not committed. Open the manager again to see them.",
                ManifestUri, "commit the checkpoint manifest", e);
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            // The outcome is unknown (the commit may have landed): keep the step blob, which a committed manifest may list.
            throw BlobErrors.Translate(e, manifest.Uri, "commit the checkpoint manifest");
        }
    }

    private async Task<ETag?> ListedManifestETagAsync(BlobClient manifest, string file, CancellationToken cancellationToken)
    {
        try
        {
            Response<BlobDownloadResult> current = await manifest.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            List<CheckpointInfo> listed = BlobManifest.Read(current.Value.Content.ToMemory(), f => f, ManifestUri);
            return listed.Any(c => c.File == file) ? current.Value.Details.ETag : null;
        }
        catch (InvalidCheckpointException)
        {
            return null; // Not a manifest this manager wrote.
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            // Whether the commit landed is unknown: report it, and leave the step blob in place.
            throw BlobErrors.Translate(e, manifest.Uri, "read the checkpoint manifest after a refused commit");
        }
    }

    private async Task TryDeleteAsync(string file)
    {
        try
        {
            await container.GetBlobClient(prefix + file).DeleteIfExistsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (BlobErrors.IsServiceFailure(e))
        {
            // A blob no manifest lists is ignored by every reader; a later retention pass or a sweep may remove it.
        }
    }
}
