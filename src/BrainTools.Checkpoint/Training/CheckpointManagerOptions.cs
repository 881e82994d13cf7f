using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint;

/// <summary>
/// What a <see cref="CheckpointManager"/> names its files and which it keeps. Immutable; derive variants with <c>with</c>.
/// </summary>
/// <remarks>
/// A checkpoint is kept when any rule keeps it: it is one of the last <see cref="KeepLast"/>, its step is a multiple of
/// <see cref="KeepEvery"/>, or it is one of the <see cref="KeepBest"/> best by metric. The newest checkpoint, and the one just saved, are always
/// kept. With no rule set, every checkpoint is kept.
/// </remarks>
public sealed record CheckpointManagerOptions
{
    /// <summary>The defaults: prefix <c>checkpoint_</c>, keep everything, verify checksums on restore.</summary>
    public static CheckpointManagerOptions Default { get; } = new();

    /// <summary>The start of the file names: files are <c>{Prefix}{step}.msgpack</c>.</summary>
    public string Prefix
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            if (value.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0)
            {
                throw new ArgumentException($"The prefix '{value}' cannot be part of a file name.", nameof(value));
            }

            field = value;
        }
    }

    = "checkpoint_";

    /// <summary>Keep the newest this many checkpoints; null for no such rule.</summary>
    public int? KeepLast
    {
        get;
        init => field = NullOrPositive(value);
    }

    /// <summary>Keep every checkpoint whose step is a multiple of this; null for no such rule.</summary>
    public long? KeepEvery
    {
        get;
        init => field = NullOrPositive(value);
    }

    /// <summary>Keep the best this many checkpoints by metric (see <see cref="BestMode"/>); null for no such rule.</summary>
    public int? KeepBest
    {
        get;
        init => field = NullOrPositive(value);
    }

    /// <summary>Whether lower (<see cref="MetricMode.Min"/>, the default) or higher metrics are better.</summary>
    public MetricMode BestMode { get; init; } = MetricMode.Min;

    /// <summary>Verify each file against its manifest checksum before restoring it (default true).</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>The settings of the saves and loads (durability, chunk size, warnings); <see cref="MsgpackOptions.Default"/> when null.</summary>
    public MsgpackOptions? Msgpack { get; init; }

    // The keep rules share one check: null (no rule) or at least 1, reported against the setter's "value".
    private static T? NullOrPositive<T>(T? value)
        where T : struct, System.Numerics.INumber<T>
    {
        if (value is T n)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(n, T.One, nameof(value));
        }

        return value;
    }

    /// <summary>
    /// The steps the retention rules keep of <paramref name="checkpoints"/> (sorted by step) once
    /// <paramref name="justSaved"/> is committed: the newest and the one just saved always stay (a good checkpoint always
    /// remains, and a save never returns the path of a file it removed); otherwise a step stays when any rule keeps it;
    /// with no rule, every step stays. Every checkpoint manager (local or in object storage) applies these rules.
    /// </summary>
    /// <param name="checkpoints">The committed checkpoints and the new one, oldest step first; not empty.</param>
    /// <param name="justSaved">The step just saved.</param>
    public IReadOnlySet<long> StepsToKeep(IReadOnlyList<CheckpointInfo> checkpoints, long justSaved)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        if (KeepLast is null && KeepEvery is null && KeepBest is null)
        {
            return checkpoints.Select(c => c.Step).ToHashSet();
        }

        HashSet<long> keep = [checkpoints[^1].Step, justSaved];
        if (KeepLast is int last)
        {
            keep.UnionWith(checkpoints.Skip(Math.Max(0, checkpoints.Count - last)).Select(c => c.Step));
        }

        if (KeepEvery is long every)
        {
            keep.UnionWith(checkpoints.Where(c => c.Step % every == 0).Select(c => c.Step));
        }

        if (KeepBest is int best)
        {
            keep.UnionWith(RankByMetric(checkpoints).Take(best).Select(c => c.Step));
        }

        return keep;
    }

    /// <summary>The checkpoints that have a metric, best first by <see cref="BestMode"/>; among equal metrics the newer step wins.</summary>
    public IEnumerable<CheckpointInfo> RankByMetric(IEnumerable<CheckpointInfo> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        IEnumerable<CheckpointInfo> withMetric = checkpoints.Where(c => c.Metric is not null);
        IOrderedEnumerable<CheckpointInfo> ranked = BestMode == MetricMode.Min
            ? withMetric.OrderBy(c => c.Metric!.Value)
            : withMetric.OrderByDescending(c => c.Metric!.Value);
        return ranked.ThenByDescending(c => c.Step);
    }
}
