namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A type with no state-dict form (a class without public data members, a system type, a delegate): refused both
/// ways with a message naming the path, where braintools would hand the object to msgpack, which then fails.
/// </summary>
internal sealed class UnsupportedConverter(Type type) : StateDictConverter
{
    public override StateNode Save(object value, SaveContext context) =>
        throw new CheckpointException($"Cannot save a {type} at path {context.Path}: it has no state-dict form (no public data members, no registered serialization).", null, context.Path.ToString());

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context) =>
        throw new CheckpointException(
            $"Cannot restore into a {TypeNames.Of(type)} at path {context.Path}: use a list, an array, a dictionary or a record, or register a serialization for it.",
            context.FilePath,
            context.Path.ToString());
}
