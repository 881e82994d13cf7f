using System.Runtime.CompilerServices;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// One place in one save (to state dict): where in the tree, how deep. Converters save their children through
/// <see cref="SaveChild"/>, so depth limits and paths in errors come from one place.
/// </summary>
internal readonly struct SaveContext
{
    /// <summary>How deep an object graph may nest (deeper is most likely a reference cycle).</summary>
    public const int MaxDepth = 1000;

    private SaveContext(TreePath path, int depth)
    {
        Path = path;
        Depth = depth;
    }

    public static SaveContext Root => new(TreePath.Root, 0);

    public TreePath Path { get; }

    public int Depth { get; }

    /// <summary>Saves <paramref name="value"/> at this place.</summary>
    public StateNode Save(object? value)
    {
        if (Depth > MaxDepth)
        {
            throw new CheckpointException($"The object nests deeper than {MaxDepth} levels (a reference cycle?) at path {Path}", null, Path.ToString());
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new CheckpointException($"The object nests deeper than this thread's stack can follow at path {Path}", null, Path.ToString());
        }

        return value switch
        {
            null => StateValue.Null,
            StateNode node => node,
            _ => StateDictConverters.For(value.GetType()).Save(value, this),
        };
    }

    /// <summary>Saves a child under <paramref name="key"/>.</summary>
    public StateNode SaveChild(object? value, string key) => new SaveContext(Path.Child(key), Depth + 1).Save(value);

    /// <summary>Saves what a converter turned its value into (a handler's dictionary), one level deeper at the same path.</summary>
    public StateNode SaveNested(object? value) => new SaveContext(Path, Depth + 1).Save(value);
}
