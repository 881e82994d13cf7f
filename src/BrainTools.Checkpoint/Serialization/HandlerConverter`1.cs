namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// A registered pair of conversions (<see cref="Msgpack.RegisterSerialization{T}(Func{T, object?}, Func{T, StateNode, CheckpointRestoreContext, T}, bool)"/>)
/// as a converter: what <c>toStateDict</c> returns is saved in its place, and <c>fromStateDict</c> restores with the
/// context of its node. Handlers of the older signature, which get only the policy, have the node they are handed
/// linked to that context while they run, so their nested <c>Msgpack.FromStateDict(target, state, key, mismatch)</c>
/// joins this restore.
/// </summary>
internal sealed class HandlerConverter<T> : StateDictConverter<T>, IRegisteredConverter
{
    private readonly Func<T, object?> _toStateDict;
    private readonly Func<T, StateNode, CheckpointRestoreContext, T>? _fromStateDict;
    private readonly Func<T, StateNode, Mismatch, T>? _legacyFromStateDict;

    public HandlerConverter(Func<T, object?> toStateDict, Func<T, StateNode, CheckpointRestoreContext, T> fromStateDict)
    {
        ArgumentNullException.ThrowIfNull(toStateDict);
        ArgumentNullException.ThrowIfNull(fromStateDict);
        _toStateDict = toStateDict;
        _fromStateDict = fromStateDict;
    }

    public HandlerConverter(Func<T, object?> toStateDict, Func<T, StateNode, Mismatch, T> fromStateDict)
    {
        ArgumentNullException.ThrowIfNull(toStateDict);
        ArgumentNullException.ThrowIfNull(fromStateDict);
        _toStateDict = toStateDict;
        _legacyFromStateDict = fromStateDict;
    }

    public Type Type => typeof(T);

    public StateDictConverter Converter => this;

    public override StateNode Save(T value, SaveContext context)
    {
        object? saved = _toStateDict(value);
        if (ReferenceEquals(saved, value))
        {
            throw new CheckpointException($"The serialization registered for {typeof(T).Name} returned the object itself at path {context.Path}; return its state (a dictionary, an array, a value).", null, context.Path.ToString());
        }

        return context.SaveNested(saved);
    }

    public override T Restore(T target, StateNode state, CheckpointRestoreContext context)
    {
        if (_fromStateDict is not null)
        {
            return _fromStateDict(target, state, context);
        }

        using CheckpointRestoreContext.HandedNodeScope link = context.HandOut(state);
        return _legacyFromStateDict!(target, state, context.Mismatch);
    }
}
