using System.Collections;
using System.Globalization;
using System.Numerics.Tensors;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using BrainTools.Checkpoint.Lazy;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// Restores a state dict into a template (braintools' <c>from_state_dict</c>): walks the template and the state
/// together and returns a structure shaped like the template, applying the <see cref="Mismatch"/> policy where
/// they differ. Runs inside a <see cref="RestoreContext"/>, which tracks the path for messages.
/// </summary>
internal static class StateDictRestorer
{
    /// <summary>Restores <paramref name="state"/> into <paramref name="target"/>, whose declared type is <paramref name="declared"/>.</summary>
    public static object? Restore(object? target, StateNode state, Type declared, Mismatch mismatch)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (target is null)
        {
            return RestoreWithoutTemplate(state, declared, mismatch);
        }

        Type type = target.GetType();
        if (target is StateNode node)
        {
            return RestoreIntoTree(node, state, mismatch);
        }

        if (SerializationRegistry.Find(type) is { } handler)
        {
            return handler.FromStateDict(target, state, mismatch);
        }

        if (ScalarConversion.IsScalar(type))
        {
            return ScalarConversion.TryConvert(state, type, out object? scalar) ? scalar : TypeMismatch(target, state, ScalarConversion.TypeName(type), mismatch);
        }

        switch (target)
        {
            case NdArray array:
                return RestoreNdArray(array, state, mismatch);
            case Array typed when DType.TryFromClrType(type.GetElementType()!, out DType? dtype):
                return RestoreTypedArray(typed, dtype, state, mismatch);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Tensor<>))
        {
            return RestoreTensor(target, type.GetGenericArguments()[0], state, mismatch);
        }

        if (DictionaryAccess.TryCreate(target, out DictionaryAccess? dictionary))
        {
            return RestoreDictionary(target, dictionary, state, declared, mismatch);
        }

        if (target is ITuple tuple && IsSystemTuple(type))
        {
            return RestoreTuple(tuple, type, state, mismatch);
        }

        if (target is IList list)
        {
            return RestoreList(list, type, state, declared, mismatch);
        }

        if (target is IEnumerable || !ObjectShape.CanDescribe(type))
        {
            throw new CheckpointException(
                $"Cannot restore into a {ScalarConversion.TypeName(type)} at path {Path}: use a list, an array, a dictionary or a record, or register a serialization for it.",
                null,
                Path);
        }

        return RestoreObject(target, type, state, mismatch);
    }

    /// <summary>Restores one child, with its key on the path.</summary>
    public static object? RestoreChild(object? target, StateNode state, Type declared, string key, Mismatch mismatch)
    {
        RestoreContext context = RestoreContext.Current!;
        context.Push(key);

        // Loaded trees are bounded by MsgpackOptions.MaxDepth, trees built in memory are not: a stack overflow cannot be caught.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            string path = context.Path;
            context.Pop();
            throw new CheckpointException($"The state nests deeper than this thread's stack can follow at path {path}", context.FilePath, path);
        }

        try
        {
            return Restore(target, state, declared, mismatch);
        }
        finally
        {
            context.Pop();
        }
    }

    private static string Path => RestoreContext.Current?.Path ?? ".";

    private static object? TypeMismatch(object? target, StateNode state, string expected, Mismatch mismatch)
    {
        RestoreContext.Report(MismatchMessages.Type(expected, state), mismatch);
        return target;
    }

    /// <summary>A null template: the declared type says what to build (a leaf, an array), else the raw state is kept for <c>object</c>.</summary>
    private static object? RestoreWithoutTemplate(StateNode state, Type declared, Mismatch mismatch)
    {
        if (declared == typeof(object))
        {
            return state is StateValue leaf ? leaf.Value : state;
        }

        if (declared.IsInstanceOfType(state))
        {
            return state;
        }

        Type type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (ScalarConversion.IsScalar(type))
        {
            return ScalarConversion.TryConvert(state, type, out object? scalar) ? scalar : TypeMismatch(null, state, ScalarConversion.TypeName(type), mismatch);
        }

        NdArray? loaded = (state as StateValue)?.Value switch
        {
            NdArray array => array,
            NumpyScalar scalar => scalar.ToNdArray(),
            _ => null,
        };
        if (type == typeof(NdArray))
        {
            return loaded ?? TypeMismatch(null, state, "an ndarray", mismatch);
        }

        if (type.IsArray && DType.TryFromClrType(type.GetElementType()!, out DType? dtype))
        {
            return loaded is not null && loaded.Rank == type.GetArrayRank()
                ? loaded.AsType(dtype, copy: false).ToArray()
                : TypeMismatch(null, state, $"an ndarray of rank {type.GetArrayRank()}", mismatch);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Tensor<>)
            && DType.TryFromClrType(type.GetGenericArguments()[0], out DType? tensorType))
        {
            return loaded is not null ? ToTensor(loaded.AsType(tensorType, copy: false)) : TypeMismatch(null, state, "an ndarray", mismatch);
        }

        return TypeMismatch(null, state, $"a {ScalarConversion.TypeName(type)} (the target is null, so there is nothing to restore into)", mismatch);
    }

    /// <summary>A raw tree as template: maps as dicts, array leaves shape-checked, other leaves replaced by the state's.</summary>
    private static StateNode RestoreIntoTree(StateNode template, StateNode state, Mismatch mismatch)
    {
        if (template is StateMap map)
        {
            if (state is not StateMap saved)
            {
                return (StateNode)TypeMismatch(template, state, "a dict", mismatch)!;
            }

            ReportMissingKeys(map.Keys, saved, mismatch);
            var result = new StateMap(map.Count);
            foreach (KeyValuePair<string, StateNode> item in map)
            {
                result.Add(item.Key, saved.TryGetValue(item.Key, out StateNode? child)
                    ? (StateNode)RestoreChild(item.Value, child, typeof(StateNode), item.Key, mismatch)!
                    : item.Value);
            }

            return result;
        }

        if (((StateValue)template).Value is NdArray array)
        {
            object? restored = RestoreNdArray(array, state, mismatch);
            return ReferenceEquals(restored, array) ? template : new StateValue(restored);
        }

        return state;
    }

    private static void ReportMissingKeys(IEnumerable<string> targetKeys, StateMap state, Mismatch mismatch)
    {
        string[] missing = targetKeys.Where(key => !state.ContainsKey(key)).ToArray();
        if (missing.Length > 0)
        {
            RestoreContext.Report(MismatchMessages.DictKeys(missing), mismatch);
        }
    }

    /// <summary>An n-d array template: the shape must match; the loaded array (with its dtype) replaces it, as in braintools.</summary>
    private static object? RestoreNdArray(NdArray target, StateNode state, Mismatch mismatch)
    {
        switch ((state as StateValue)?.Value)
        {
            case NdArray loaded when loaded.Shape == target.Shape:
                return RestoreContext.Current?.InPlace == true && target.IsWritable ? FillInPlace(loaded, target, target) : loaded;
            case NdArray loaded:
                RestoreContext.Report(MismatchMessages.ArrayShape(target.Shape, loaded.Shape), mismatch);
                return target;
            case NumpyScalar scalar when target.Rank == 0:
                return scalar.ToNdArray();
            default:
                return TypeMismatch(target, state, $"an ndarray ({target.DType}, shape {target.Shape})", mismatch);
        }
    }

    /// <summary>A typed .NET array: the shape must match; the elements are converted to its element type (numpy's astype).</summary>
    private static object? RestoreTypedArray(Array target, DType dtype, StateNode state, Mismatch mismatch)
    {
        var dims = new long[target.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = target.GetLongLength(i);
        }

        return ArrayOfShape(target, dtype, new Shape(dims), state, mismatch) switch
        {
            null => target,
            { } loaded when RestoreContext.Current?.InPlace == true => FillInPlace(loaded, NdArray.FromArray(target), target),
            { } loaded => loaded.AsType(dtype, copy: false).ToArray(),
        };
    }

    /// <summary>
    /// A restore in place: the loaded values will go into the template's own memory (converted to its dtype) once the
    /// whole walk has passed its checks; the template is the result.
    /// </summary>
    private static T FillInPlace<T>(NdArray loaded, NdArray memory, T target)
    {
        RestoreContext.Current!.PendingCopies.Add(new PendingCopy(loaded, memory, Path));
        return target;
    }

    /// <summary>The saved array when it has the template's shape; otherwise the mismatch is reported and null returned (the target is kept).</summary>
    private static NdArray? ArrayOfShape(object target, DType dtype, Shape shape, StateNode state, Mismatch mismatch)
    {
        if ((state as StateValue)?.Value is not NdArray loaded)
        {
            TypeMismatch(target, state, $"an ndarray ({dtype}, shape {shape})", mismatch);
            return null;
        }

        if (loaded.Shape != shape)
        {
            RestoreContext.Report(MismatchMessages.ArrayShape(shape, loaded.Shape), mismatch);
            return null;
        }

        return loaded;
    }

    private static object? RestoreTensor(object target, Type elementType, StateNode state, Mismatch mismatch)
    {
        if (!DType.TryFromClrType(elementType, out DType? dtype))
        {
            throw new CheckpointException($"Cannot restore a Tensor<{elementType.Name}>: {elementType.Name} is not an array element type.", null, Path);
        }

        ReadOnlySpan<nint> lengths = ((IReadOnlyTensor)target).Lengths;
        var dims = new long[lengths.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = lengths[i];
        }

        return ArrayOfShape(target, dtype, new Shape(dims), state, mismatch) switch
        {
            null => target,
            { } loaded when RestoreContext.Current?.InPlace == true => FillTensor(target, loaded.AsType(dtype, copy: false)),
            { } loaded => ToTensor(loaded.AsType(dtype, copy: false)),
        };
    }

    // A tensor's memory is not an ArrayStorage: its elements are copied over from the loaded array, after the walk as for arrays.
    private static object FillTensor(object target, NdArray loaded)
    {
        MethodInfo fill = typeof(StateDictRestorer).GetMethod(nameof(FillTensorOf), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(loaded.DType.ClrType);
        RestoreContext.Current!.PendingFills.Add(() => fill.Invoke(null, [target, loaded]));
        return target;
    }

    private static Tensor<T> FillTensorOf<T>(Tensor<T> target, NdArray loaded)
        where T : unmanaged
    {
        if (target.IsDense && loaded.Length <= int.MaxValue)
        {
            loaded.AsReadOnlySpan<T>().CopyTo(MemoryMarshal.CreateSpan(ref target.GetPinnableReference(), (int)target.FlattenedLength));
        }
        else
        {
            loaded.ToTensor<T>().CopyTo(target.AsTensorSpan());
        }

        return target;
    }

    private static object ToTensor(NdArray array) =>
        typeof(NdArray).GetMethod(nameof(NdArray.ToTensor))!.MakeGenericMethod(array.DType.ClrType).Invoke(array, null)!;

    /// <summary>A dictionary: target keys missing from the state are a mismatch, extra state keys are ignored; the result is a new dictionary of the same type.</summary>
    private static object? RestoreDictionary(object target, DictionaryAccess dictionary, StateNode state, Type declared, Mismatch mismatch)
    {
        if (state is not StateMap map)
        {
            return TypeMismatch(target, state, "a dict", mismatch);
        }

        List<KeyValuePair<object, object?>> entries = dictionary.Entries(target);
        ReportMissingKeys(entries.Select(entry => StateDictConverter.KeyString(entry.Key)), map, mismatch);
        var restored = new List<KeyValuePair<object, object?>>(entries.Count);
        foreach (KeyValuePair<object, object?> entry in entries)
        {
            string key = StateDictConverter.KeyString(entry.Key);
            object? value = map.TryGetValue(key, out StateNode? child)
                ? RestoreChild(entry.Value, child, dictionary.ValueType, key, mismatch)
                : entry.Value;
            restored.Add(new KeyValuePair<object, object?>(entry.Key, value));
        }

        return dictionary.Build(target, restored, declared);
    }

    /// <summary>A list or an array of objects: the lengths must match; under warn/ignore the target's extra elements are kept and extra saved ones dropped.</summary>
    private static object? RestoreList(IList target, Type type, StateNode state, Type declared, Mismatch mismatch)
    {
        if (state is not StateMap map)
        {
            return TypeMismatch(target, state, $"a list of {target.Count} elements", mismatch);
        }

        if (map.Count != target.Count)
        {
            RestoreContext.Report(MismatchMessages.ListSize(target.Count, map.Count), mismatch);
        }
        else
        {
            ReportMissingKeys(Enumerable.Range(0, target.Count).Select(Index), map, mismatch);
        }

        Type elementType = type.IsArray
            ? type.GetElementType()!
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>))?.GetGenericArguments()[0] ?? typeof(object);
        var values = new object?[target.Count];
        for (int i = 0; i < values.Length; i++)
        {
            string key = Index(i);
            values[i] = map.TryGetValue(key, out StateNode? child) ? RestoreChild(target[i], child, elementType, key, mismatch) : target[i];
        }

        if (type.IsArray)
        {
            var array = Array.CreateInstance(elementType, values.Length);
            for (int i = 0; i < values.Length; i++)
            {
                array.SetValue(values[i], i);
            }

            return array;
        }

        IList result = type.GetConstructor(Type.EmptyTypes) is not null
            ? (IList)Activator.CreateInstance(type)!
            : (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        if (!declared.IsInstanceOfType(result))
        {
            throw new CheckpointException($"Cannot restore a {ScalarConversion.TypeName(type)}: it has no parameterless constructor.", null, Path);
        }

        foreach (object? value in values)
        {
            result.Add(value);
        }

        return result;
    }

    /// <summary>A <c>Tuple</c> or <c>ValueTuple</c>: saved like a list, rebuilt with its element types.</summary>
    private static object? RestoreTuple(ITuple target, Type type, StateNode state, Mismatch mismatch)
    {
        if (state is not StateMap map)
        {
            return TypeMismatch(target, state, $"a tuple of {target.Length} elements", mismatch);
        }

        if (map.Count != target.Length)
        {
            RestoreContext.Report(MismatchMessages.ListSize(target.Length, map.Count), mismatch);
        }

        List<Type> types = TupleElementTypes(type);
        var values = new object?[target.Length];
        for (int i = 0; i < values.Length; i++)
        {
            string key = Index(i);
            values[i] = map.TryGetValue(key, out StateNode? child) ? RestoreChild(target[i], child, types[i], key, mismatch) : target[i];
        }

        return CreateTuple(type, values);
    }

    private static bool IsSystemTuple(Type type) =>
        type.IsGenericType && type.Namespace == "System" && (type.Name.StartsWith("Tuple`", StringComparison.Ordinal) || type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal));

    private static List<Type> TupleElementTypes(Type type)
    {
        Type[] arguments = type.GetGenericArguments();
        var types = arguments.Take(7).ToList();
        if (arguments.Length == 8)
        {
            types.AddRange(TupleElementTypes(arguments[7]));
        }

        return types;
    }

    private static object CreateTuple(Type type, ReadOnlySpan<object?> values)
    {
        Type[] arguments = type.GetGenericArguments();
        object?[] constructorArguments = arguments.Length == 8
            ? [.. values[..7], CreateTuple(arguments[7], values[7..])]
            : values.ToArray();
        return Activator.CreateInstance(type, constructorArguments)!;
    }

    /// <summary>
    /// A record or plain class, as braintools restores a namedtuple: the saved keys must be its member keys.
    /// Records are copied (as <c>with</c> does) or rebuilt by their constructor; structs are copied; plain classes are restored in place.
    /// </summary>
    private static object? RestoreObject(object target, Type type, StateNode state, Mismatch mismatch)
    {
        ObjectShape shape = ObjectShape.For(type);
        if (state is not StateMap map)
        {
            return TypeMismatch(target, state, $"the fields of {ScalarConversion.TypeName(type)}", mismatch);
        }

        IReadOnlyList<ObjectMember> members = shape.Members;
        if (map.Count != members.Count || members.Any(member => !map.ContainsKey(member.Key)))
        {
            RestoreContext.Report(MismatchMessages.FieldNames(map.Keys, members.Select(member => member.Key)), mismatch);
        }

        var current = new object?[members.Count];
        var values = new object?[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            ObjectMember member = members[i];
            current[i] = member.Get(target);
            values[i] = map.TryGetValue(member.Key, out StateNode? child)
                ? RestoreChild(current[i], child, member.Type, member.Key, mismatch)
                : current[i];
        }

        bool[] changed = values.Select((value, i) => !ReferenceEquals(value, current[i]) && !Equals(value, current[i])).ToArray();
        bool allSettable = members.Select((member, i) => !changed[i] || member.Set is not null).All(ok => ok);
        if (allSettable)
        {
            object result = shape.CloneMethod is not null ? shape.CloneMethod.Invoke(target, null)!
                : type.IsValueType ? CopyBox(target)
                : target;
            for (int i = 0; i < members.Count; i++)
            {
                if (changed[i])
                {
                    members[i].Set!(result, values[i]);
                }
            }

            return result;
        }

        return Construct(shape, values, changed);
    }

    private static object CopyBox(object box) =>
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(box, null)!;

    /// <summary>Builds the object through the public constructor whose parameters are members (a positional record's), then sets the rest.</summary>
    private static object Construct(ObjectShape shape, object?[] values, bool[] changed)
    {
        IReadOnlyList<ObjectMember> members = shape.Members;
        foreach (ConstructorInfo constructor in shape.Constructors.OrderByDescending(c => c.GetParameters().Length))
        {
            ParameterInfo[] parameters = constructor.GetParameters();
            int[] indices = parameters.Select(p => IndexOfMember(members, p)).ToArray();
            if (indices.Any(i => i < 0))
            {
                continue;
            }

            bool restCanBeSet = Enumerable.Range(0, members.Count).All(i => indices.Contains(i) || !changed[i] || members[i].Set is not null);
            if (!restCanBeSet)
            {
                continue;
            }

            object result = constructor.Invoke(indices.Select(i => values[i]).ToArray());
            for (int i = 0; i < members.Count; i++)
            {
                if (!indices.Contains(i) && members[i].Set is { } set)
                {
                    set(result, values[i]);
                }
            }

            return result;
        }

        string stuck = string.Join(", ", members.Where((member, i) => changed[i] && member.Set is null).Select(member => member.Member.Name));
        throw new CheckpointException(
            $"Cannot restore {ScalarConversion.TypeName(shape.Type)} at path {Path}: {stuck} cannot be set and no public constructor takes it; add a setter or init accessor, or register a serialization.",
            null,
            Path);
    }

    private static int IndexOfMember(IReadOnlyList<ObjectMember> members, ParameterInfo parameter)
    {
        string? key = parameter.GetCustomAttribute<CheckpointNameAttribute>()?.Name;
        for (int i = 0; i < members.Count; i++)
        {
            if (key is not null ? members[i].Key == key : string.Equals(members[i].Member.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))
            {
                return members[i].Type.IsAssignableFrom(parameter.ParameterType) || parameter.ParameterType.IsAssignableFrom(members[i].Type) ? i : -1;
            }
        }

        return -1;
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
