namespace BrainTools.Checkpoint;

/// <summary>
/// What a restore does when the saved state does not fit the template (braintools' <c>mismatch</c>): a key of the
/// target missing from the state, a list of another length, record fields that differ, an array of another
/// shape, a quantity of another unit, or a value of another kind.
/// </summary>
/// <remarks>Parse braintools' names (<c>"error"</c>, <c>"warn"</c>, <c>"ignore"</c>) with <see cref="Msgpack.ParseMismatch(string)"/>.</remarks>
public enum Mismatch
{
    /// <summary>Throw a <see cref="CheckpointMismatchException"/> (the default).</summary>
    Error,

    /// <summary>Raise a <see cref="CheckpointWarning"/> and keep the target's own value where the state has nothing that fits.</summary>
    Warn,

    /// <summary>Silently keep the target's own value where the state has nothing that fits.</summary>
    Ignore,
}
