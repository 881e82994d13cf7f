using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Loads a checkpoint into a template (braintools' <c>msgpack_load(path, target=..., mismatch=...)</c>) and
    /// returns a <typeparamref name="T"/> shaped like <paramref name="target"/>: a dictionary of the same type, a list,
    /// a record, a module whose States now hold the loaded values, ... (the rules: <see cref="FromStateDict{T}(T, StateNode, Mismatch, MsgpackOptions?)"/>).
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="target">The template: fixes the structure, the types and the array shapes expected.</param>
    /// <param name="mismatch">What to do where the file does not fit the template.</param>
    /// <param name="options">Limits, <see cref="MsgpackOptions.Verbose"/>, and <see cref="MsgpackOptions.OnWarning"/> for the warnings of <see cref="Mismatch.Warn"/>.</param>
    /// <returns>The restored structure.</returns>
    /// <example>
    /// <code>
    /// var template = new Dictionary&lt;string, object&gt; { ["weights"] = new float[2, 2], ["epoch"] = 0 };
    /// Dictionary&lt;string, object&gt; loaded = Msgpack.Load("model.msgpack", template);
    /// </code>
    /// </example>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the file does not fit the template.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T Load<T>(string path, T target, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ValidateMismatch(mismatch);
        StateNode state = Load(path, options);
        return (T)Restore(target, state, typeof(T), mismatch, options, path)!;
    }

    /// <summary>
    /// Restores a state dict into a template (braintools' <c>msgpack_from_state_dict</c>), walking both together:
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Dictionaries: a template key absent from the state is a mismatch (keys are matched by their string
    /// form); keys only in the state are ignored. The result is a new dictionary of the same type.</item>
    /// <item>Lists, arrays of objects, tuples: the lengths must match. Records and classes: the saved keys must be
    /// the members' keys (a namedtuple's field check). Records are copied or rebuilt through their constructor,
    /// plain classes are restored in place.</item>
    /// <item><see cref="NdArray"/>: the shape must match; the loaded array, with its own dtype, replaces the
    /// template's (as braintools does). Typed .NET arrays and <c>Tensor&lt;T&gt;</c>: the shape must match; the
    /// elements are converted to <c>T</c> as numpy's <c>astype</c> would (see <see cref="NdArray.AsType(DType, bool)"/>:
    /// integers wrap, floats truncate toward zero).</item>
    /// <item>Scalars become the template's .NET type when the value fits (a Python int into a <c>byte</c> only when in
    /// range; a float never into an integer). <see cref="State"/>s are restored in place; registered types through their
    /// handler (<see cref="RegisterSerialization{T}(Func{T, object?}, Func{T, StateNode, CheckpointRestoreContext, T}, bool)"/>).</item>
    /// <item>A null template value keeps the raw state when declared as <see cref="object"/>, or is converted to its declared leaf or array type.</item>
    /// </list>
    /// Under <see cref="Mismatch.Warn"/> and <see cref="Mismatch.Ignore"/>, the template's own value is kept wherever the
    /// state has nothing that fits (a missing key, a different shape, a value of another kind).
    /// <para>Inside a handler of the older signature, a call on the node it was handed (or a direct child of it) joins the
    /// running restore: paths continue from the handler's node, and warnings go where that restore's go. With the
    /// context signature, call <see cref="FromStateDict{T}(T, StateNode, CheckpointRestoreContext)"/> instead.</para>
    /// </remarks>
    /// <param name="target">The template; a raw <see cref="StateNode"/> tree works too (its arrays are shape-checked).</param>
    /// <param name="state">The state dict, as <see cref="Load(string, MsgpackOptions?)"/> returns it.</param>
    /// <param name="mismatch">What to do where the state does not fit the template.</param>
    /// <param name="options">Where warnings go (<see cref="MsgpackOptions.OnWarning"/>); ignored when the call joins a running restore (see the remarks), whose options apply.</param>
    /// <returns>The restored structure.</returns>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the state does not fit.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T FromStateDict<T>(T target, StateNode state, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ValidateMismatch(mismatch);
        return (T)Restore(target, state, typeof(T), mismatch, options, null)!;
    }

    /// <summary>
    /// Restores the child <paramref name="key"/> of <paramref name="state"/> into <paramref name="target"/>, with
    /// the key on the path (braintools' <c>msgpack_from_state_dict(x, sd[key], name=key)</c>): for registered
    /// handlers that restore their parts, so messages read <c>./my_layer/weights</c>. A missing key is a mismatch
    /// (the dict message) and keeps <paramref name="target"/>. The same as <see cref="CheckpointRestoreContext.Restore{T}(T, StateNode, string)"/>.
    /// </summary>
    /// <param name="target">The part's template.</param>
    /// <param name="state">The node the handler was handed.</param>
    /// <param name="key">The part's key in <paramref name="state"/>.</param>
    /// <param name="context">The context the handler was handed (a handler's third parameter): the restore joined.</param>
    /// <example><c>layer.Weights = Msgpack.FromStateDict(layer.Weights, state, "weights", context);</c></example>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the child is missing or does not fit.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T FromStateDict<T>(T target, StateNode state, string key, CheckpointRestoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Restore(target, state, key);
    }

    /// <summary>
    /// Restores <paramref name="state"/> (a part of the node a handler was handed) into <paramref name="target"/>
    /// at the handler's place in the running restore; the same as <see cref="CheckpointRestoreContext.Restore{T}(T, StateNode)"/>.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the state does not fit.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T FromStateDict<T>(T target, StateNode state, CheckpointRestoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Restore(target, state);
    }

    /// <summary>
    /// Restores the child <paramref name="key"/> of <paramref name="state"/>, for handlers registered with the older
    /// signature (<c>Func&lt;T, StateNode, Mismatch, T&gt;</c>), which get no context: when <paramref name="state"/> is the
    /// node such a handler was handed, the call joins that handler's restore (its path, options and file), even after
    /// an <c>await</c>; otherwise it starts a restore of its own at the root. Prefer the overload taking the
    /// <see cref="CheckpointRestoreContext"/>, which needs no such link.
    /// </summary>
    /// <example><c>layer.Weights = Msgpack.FromStateDict(layer.Weights, state, "weights", mismatch);</c></example>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the child is missing or does not fit.</exception>
    /// <exception cref="CheckpointException">The template holds a type that cannot be restored.</exception>
    public static T FromStateDict<T>(T target, StateNode state, string key, Mismatch mismatch = Mismatch.Error)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(key);
        CheckpointRestoreContext.Validate(mismatch);
        return Joined(state, mismatch, null, null).Restore(target, state, key);
    }

    /// <summary>
    /// Applies the policy of <paramref name="context"/> to a mismatch, for registered handlers (braintools'
    /// <c>_handle_mismatch</c>); the same as <see cref="CheckpointRestoreContext.ReportMismatch(string)"/>.
    /// </summary>
    /// <param name="message">The message without its place: <c> at path {context.Path}</c> is added.</param>
    /// <param name="context">The context the handler was handed.</param>
    /// <example><c>Msgpack.ReportMismatch($"Unit mismatch: expected {expected}, got {actual}", context);</c></example>
    /// <exception cref="CheckpointMismatchException">The policy is <see cref="Mismatch.Error"/>.</exception>
    public static void ReportMismatch(string message, CheckpointRestoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ReportMismatch(message);
    }

    /// <summary>
    /// Applies a mismatch policy outside a restore's context: throws a <see cref="CheckpointMismatchException"/>,
    /// raises a <see cref="CheckpointWarning"/> (through <see cref="Warning"/>) or does nothing, with the path
    /// <c>.</c>. A handler should pass the context it was handed instead (<see cref="ReportMismatch(string, CheckpointRestoreContext)"/>),
    /// so the message names its place; a handler written as <c>(target, state, mismatch) =&gt; ...</c> with an inferred
    /// third parameter already does.
    /// </summary>
    /// <param name="message">The message without its place: <c> at path .</c> is added.</param>
    /// <param name="mismatch">The policy.</param>
    /// <exception cref="CheckpointMismatchException"><paramref name="mismatch"/> is <see cref="Mismatch.Error"/>.</exception>
    public static void ReportMismatch(string message, Mismatch mismatch)
    {
        ArgumentNullException.ThrowIfNull(message);
        CheckpointRestoreContext.Validate(mismatch);
        new RestoreRun(null, null, NewArraySink.Instance).Root(mismatch).ReportMismatch(message);
    }

    /// <summary>Parses braintools' policy names: <c>"error"</c>, <c>"warn"</c>, <c>"ignore"</c>.</summary>
    /// <exception cref="ArgumentException"><c>Invalid mismatch mode: 'x'. Must be one of 'error', 'warn', or 'ignore'.</c></exception>
    public static Mismatch ParseMismatch(string mode) => mode switch
    {
        "error" => Mismatch.Error,
        "warn" => Mismatch.Warn,
        "ignore" => Mismatch.Ignore,
        _ => throw MismatchMessages.Invalid(mode),
    };

    private static void ValidateMismatch(Mismatch mismatch) => CheckpointRestoreContext.Validate(mismatch);

    // A node an older-signature handler was handed joins its restore; anything else starts a restore of its own.
    private static CheckpointRestoreContext Joined(StateNode state, Mismatch mismatch, MsgpackOptions? options, string? filePath) =>
        CheckpointRestoreContext.ForHandedNode(state)?.WithMismatch(mismatch)
        ?? new RestoreRun(options, filePath, NewArraySink.Instance).Root(mismatch);

    private static object? Restore(object? target, StateNode state, Type declared, Mismatch mismatch, MsgpackOptions? options, string? filePath) =>
        Joined(state, mismatch, options, filePath).RestoreValue(target, state, declared);
}
