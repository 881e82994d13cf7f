using System.Collections;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using BrainTools.Checkpoint.Serialization.Converters;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// The one converter of each .NET type, and the entry points that use them: <see cref="ToStateDict"/> (save),
/// <see cref="Restore(object?, StateNode, Type, Mismatch, RestoreRun)"/> (load into a template, with the sink that says where arrays go) and
/// <see cref="Reconcile"/> (the same restore as a dry run that collects differences).
/// </summary>
/// <remarks>
/// Resolution order, the same for both directions because it is one lookup: raw <see cref="StateNode"/> trees,
/// the registry (most derived registered class, then a registered interface; the higher layers' built-ins live
/// there), scalars and enums, <see cref="NdArray"/>, typed .NET arrays, <c>Tensor&lt;T&gt;</c>, dictionaries,
/// <c>Tuple</c>/<c>ValueTuple</c>, lists and object arrays, other sequences (saved only), then records and plain
/// classes. A type none of these takes gets a converter that refuses it with a message naming the path.
/// </remarks>
internal static class StateDictConverters
{
    /// <summary>The converter of values of <paramref name="type"/> (a runtime type).</summary>
    public static StateDictConverter For(Type type) => SerializationRegistry.Resolve(type, Create);

    /// <summary>The converter that restores into a null slot declared as <paramref name="declared"/>.</summary>
    public static StateDictConverter ForDeclared(Type declared)
    {
        Type type = Nullable.GetUnderlyingType(declared) ?? declared;
        return type == typeof(object) ? TreeConverter.Instance : For(type);
    }

    /// <summary>The state dict of <paramref name="value"/> (braintools' <c>to_state_dict</c>); a <see cref="StateNode"/> is returned as it is.</summary>
    /// <exception cref="CheckpointException">A value has no state-dict form; the message names its path.</exception>
    public static StateNode ToStateDict(object? value) => SaveContext.Root.Save(value);

    /// <summary>Restores <paramref name="state"/> into <paramref name="target"/> (declared as <paramref name="declared"/>) in a new restore.</summary>
    public static object? Restore(object? target, StateNode state, Type declared, Mismatch mismatch, RestoreRun run) =>
        run.Root(mismatch).RestoreValue(target, state, declared);

    /// <summary>
    /// Restores <paramref name="state"/> into <paramref name="target"/> with new arrays, as <c>Msgpack.FromStateDict</c>
    /// does: the entry point for layers above this one that must not call the facade (the checkpoint manager).
    /// </summary>
    public static T Restore<T>(T target, StateNode state, Mismatch mismatch, MsgpackOptions? options, string? filePath)
    {
        CheckpointRestoreContext.Validate(mismatch);
        return (T)Restore(target, state, typeof(T), mismatch, new RestoreRun(options, filePath, NewArraySink.Instance))!;
    }

    /// <summary>A dry run of <see cref="Restore(object?, StateNode, Type, Mismatch, RestoreRun)"/> under <see cref="Mismatch.Error"/>: what it would report, without throwing or changing anything.</summary>
    public static ReconcileLog Reconcile(object? target, StateNode state, Type declared)
    {
        var log = new ReconcileLog();
        Restore(target, state, declared, Mismatch.Error, new RestoreRun(null, null, DryRunArraySink.Instance, log));
        return log;
    }

    private static StateDictConverter Create(Type type)
    {
        if (typeof(StateNode).IsAssignableFrom(type))
        {
            return TreeConverter.Instance;
        }

        if (SerializationRegistry.Find(type) is { } registered)
        {
            return registered.Converter;
        }

        if (ScalarConverter.Supports(type))
        {
            return new ScalarConverter(type);
        }

        if (type == typeof(NdArray))
        {
            return NdArrayConverter.Instance;
        }

        if (type.IsArray && DType.TryFromClrType(type.GetElementType()!, out DType? dtype))
        {
            return new TypedArrayConverter(dtype);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Tensor<>))
        {
            return new TensorConverter(type.GetGenericArguments()[0]);
        }

        if (DictionaryAccess.For(type) is { } dictionary)
        {
            return new DictionaryConverter(dictionary);
        }

        if (typeof(ITuple).IsAssignableFrom(type) && TupleConverter.IsSystemTuple(type))
        {
            return new TupleConverter(type);
        }

        if (typeof(IList).IsAssignableFrom(type))
        {
            return new ListConverter(type);
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return new SequenceConverter(type);
        }

        if (ObjectShape.CanDescribe(type) && (ObjectShape.For(type).Members.Count > 0 || ObjectShape.IsRecord(type)))
        {
            return new ObjectConverter(ObjectShape.For(type));
        }

        return new UnsupportedConverter(type);
    }
}
