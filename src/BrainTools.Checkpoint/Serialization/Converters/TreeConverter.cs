namespace BrainTools.Checkpoint.Serialization.Converters;

/// <summary>
/// A raw <see cref="StateNode"/> tree, as <see cref="Msgpack.Load(string, MsgpackOptions?)"/> returns it:
/// saved as itself; as a template, its maps restore like dicts, its array leaves like <see cref="NdArray"/>s, maps
/// that a higher layer recognises (a quantity's) by that type's rules, and other leaves take the state's leaf when it is of
/// a kind that fits (an int where a float is, yes; a float where an int is, no; anything where None is). Also the
/// converter of null slots declared as <see cref="object"/>, which keep the raw state.
/// </summary>
internal sealed class TreeConverter : StateDictConverter
{
    public static TreeConverter Instance { get; } = new();

    public override StateNode Save(object value, SaveContext context) => (StateNode)value;

    public override object? Restore(object target, StateNode state, Type declared, CheckpointRestoreContext context) =>
        target is StateMap map ? RestoreMap(map, state, context) : RestoreLeaf((StateValue)target, state, context);

    public override object? RestoreWithoutTarget(StateNode state, Type declared, CheckpointRestoreContext context)
    {
        if (declared == typeof(object))
        {
            return state is StateValue leaf ? leaf.Value : state;
        }

        return declared.IsInstanceOfType(state) ? state : context.TypeMismatch(null, state, $"a {TypeNames.Of(declared)}");
    }

    private static StateNode RestoreMap(StateMap template, StateNode state, CheckpointRestoreContext context)
    {
        if (state is not StateMap saved)
        {
            return (StateNode)context.TypeMismatch(template, state, "a dict")!;
        }

        foreach (RawMapRestore restore in SerializationRegistry.RawMapRestores)
        {
            if (restore(template, saved, context) is { } restored)
            {
                return context.IsDryRun ? template : restored;
            }
        }

        string[] missing = template.Keys.Where(key => !saved.ContainsKey(key)).ToArray();
        if (missing.Length > 0)
        {
            context.Report(MismatchMessages.DictKeys(missing), null);
        }

        var result = new StateMap(template.Count);
        foreach (KeyValuePair<string, StateNode> item in template)
        {
            if (saved.TryGetValue(item.Key, out StateNode? child))
            {
                result.Add(item.Key, (StateNode)context.RestoreChild(item.Value, child, typeof(StateNode), item.Key)!);
            }
            else
            {
                result.Add(item.Key, item.Value);
                if (context.Missing(item.Key, item.Value) is { } difference)
                {
                    context.Difference(difference);
                }
            }
        }

        context.Unexpected(saved, template.ContainsKey);
        return context.IsDryRun ? template : result;
    }

    private static StateNode RestoreLeaf(StateValue template, StateNode state, CheckpointRestoreContext context)
    {
        if (template.Value is NdArray array)
        {
            NdArray restored = NdArrayConverter.Instance.Restore(array, state, context);
            return ReferenceEquals(restored, array) ? template : new StateValue(restored);
        }

        if (template.Kind == StateNodeKind.Nil)
        {
            return context.IsDryRun ? template : state;
        }

        if (state is not StateValue leaf || !Fits(template, leaf))
        {
            return (StateNode)context.TypeMismatch(template, state, template.Describe())!;
        }

        if (template.Value is NumpyScalar expected && leaf.Value is NumpyScalar actual && expected.DType != actual.DType)
        {
            context.Difference(new CheckpointDifference(context.Path.ToString(), CheckpointDifferenceKind.DType, expected.DType.Name, actual.DType.Name));
        }

        return context.IsDryRun ? template : state;
    }

    /// <summary>Whether a restore can put the saved leaf where the template has its leaf (an int where a float is expected, yes; a float where an int is, no).</summary>
    private static bool Fits(StateValue expected, StateValue actual)
    {
        DTypeKind? numpyKind = (actual.Value as NumpyScalar)?.DType.Kind;
        return expected.Kind switch
        {
            StateNodeKind.NumpyScalar => actual.Kind == StateNodeKind.NumpyScalar,
            StateNodeKind.Int => actual.Kind == StateNodeKind.Int || numpyKind is DTypeKind.SignedInteger or DTypeKind.UnsignedInteger,
            StateNodeKind.Float => actual.Kind is StateNodeKind.Float or StateNodeKind.Int || numpyKind is DTypeKind.Float or DTypeKind.SignedInteger or DTypeKind.UnsignedInteger,
            StateNodeKind.Complex => actual.Kind is StateNodeKind.Complex or StateNodeKind.Float or StateNodeKind.Int || (numpyKind is not null and not DTypeKind.Bool),
            StateNodeKind.Bool => actual.Kind == StateNodeKind.Bool || numpyKind == DTypeKind.Bool,
            _ => actual.Kind == expected.Kind,
        };
    }
}
