using System.Collections;

namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A sequence that is not a list (a <c>HashSet</c>, a LINQ query): saved as a list, as braintools saves any
/// iterable it is given as a list; a restore into it is refused, since it could not be rebuilt element by element.
/// </summary>
internal sealed class SequenceConverter(Type type) : StateDictConverter
{
    public static StateMap SaveItems(IEnumerable items, SaveContext context)
    {
        var map = new StateMap();
        int i = 0;
        foreach (object? item in items)
        {
            string key = Indices.Key(i++);
            map.Add(key, context.SaveChild(item, key));
        }

        return map;
    }

    public override StateNode Save(object value, SaveContext context) => SaveItems((IEnumerable)value, context);

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context) =>
        throw new CheckpointException(
            $"Cannot restore into a {TypeNames.Of(type)} at path {context.Path}: use a list, an array, a dictionary or a record, or register a serialization for it.",
            context.FilePath,
            context.Path.ToString());
}
