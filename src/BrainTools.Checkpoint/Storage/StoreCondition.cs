namespace BrainTools.Checkpoint;

/// <summary>
/// When a write to an <see cref="ICheckpointStore"/> may commit: always, only when nothing has that name yet, or only
/// when what has that name is still the version the writer last saw (an ETag, for object storage). Checked at the
/// commit, atomically where the backend can (a blob's conditional commit), so that two writers cannot replace each
/// other's checkpoints unnoticed.
/// </summary>
public readonly record struct StoreCondition
{
    private StoreCondition(StoreConditionKind kind, string? version)
    {
        Kind = kind;
        Version = version;
    }

    /// <summary>Commit whatever is there: replace it.</summary>
    public static StoreCondition None => default;

    /// <summary>Commit only when nothing has the name (<c>If-None-Match: *</c>).</summary>
    public static StoreCondition IfAbsent => new(StoreConditionKind.IfAbsent, null);

    /// <summary>What the condition asks.</summary>
    public StoreConditionKind Kind { get; }

    /// <summary>For <see cref="StoreConditionKind.IfVersion"/>, the version that must still be there.</summary>
    public string? Version { get; }

    /// <summary>Commit only when the name still holds <paramref name="version"/> (<c>If-Match</c>).</summary>
    /// <param name="version">A <see cref="StoredCheckpoint.Version"/> the writer read.</param>
    public static StoreCondition IfVersion(string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        return new StoreCondition(StoreConditionKind.IfVersion, version);
    }

    /// <summary>The condition in words, for error messages.</summary>
    public override string ToString() => Kind switch
    {
        StoreConditionKind.IfAbsent => "only if it does not exist yet",
        StoreConditionKind.IfVersion => $"only if it is still version {Version}",
        _ => "unconditionally",
    };
}
