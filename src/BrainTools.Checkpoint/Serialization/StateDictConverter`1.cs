namespace BrainTools.Checkpoint.Serialization;

/// <summary>A converter for values of <typeparamref name="T"/>, with typed methods.</summary>
internal abstract class StateDictConverter<T> : StateDictConverter
{
    public sealed override StateNode Save(object value, SaveContext context) => Save((T)value, context);

    public sealed override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context) =>
        Restore((T)target, state, context);

    /// <summary>The state dict of <paramref name="value"/>.</summary>
    public abstract StateNode Save(T value, SaveContext context);

    /// <summary>Restores <paramref name="state"/> into <paramref name="target"/>.</summary>
    public abstract T Restore(T target, StateNode state, CheckpointRestoreContext context);
}
