using System.Runtime.CompilerServices;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

/// <summary>
/// One place in one restore (braintools' <c>current_path()</c> and <c>mismatch</c>, made explicit): where in the
/// tree it is, which <see cref="Checkpoint.Mismatch"/> policy applies, and the call's options and file. Every
/// converter and every registered handler gets the context of the node it restores, as Nerdbank.MessagePack passes
/// its <c>SerializationContext</c>; nothing about a restore lives on the thread, so the context stays right across
/// <c>await</c> and with many restores running at once.
/// </summary>
/// <example>
/// <code>
/// Msgpack.RegisterSerialization&lt;Layer&gt;(
///     layer => new Dictionary&lt;string, object?&gt; { ["weights"] = layer.Weights },
///     (layer, state, context) =>
///     {
///         layer.Weights = context.Restore(layer.Weights, state, "weights");   // path ./my_layer/weights
///         return layer;
///     });
/// </code>
/// </example>
/// <remarks>
/// <para>Immutable and thread-safe; <see cref="Child"/> and <see cref="WithMismatch"/> return new contexts.</para>
/// <para>A handler written as a lambda for the older signature, <c>(target, state, mismatch) =&gt; ...</c>, gets the
/// context in the place of the policy when its body compiles with it: the facade's calls it makes with it
/// (<see cref="Msgpack.FromStateDict{T}(T, StateNode, string, CheckpointRestoreContext)"/>,
/// <see cref="Msgpack.FromStateDict{T}(T, StateNode, CheckpointRestoreContext)"/>,
/// <see cref="Msgpack.ReportMismatch(string, CheckpointRestoreContext)"/>) have overloads taking the context, and then
/// join this restore.</para>
/// </remarks>
public sealed class CheckpointRestoreContext
{
    // Handlers registered with the older signature get a Mismatch, not a context: the nodes handed to them lead
    // back to their context, so Msgpack.FromStateDict(target, state, key, mismatch) inside them joins this restore.
    private static readonly ConditionalWeakTable<StateNode, CheckpointRestoreContext> HandedNodes = [];

    internal CheckpointRestoreContext(RestoreRun run, TreePath path, Mismatch mismatch)
    {
        Run = run;
        Path = path;
        Mismatch = mismatch;
    }

    /// <summary>Where in the tree this context restores (<c>.</c>, <c>./my_layer/weights</c>).</summary>
    public TreePath Path { get; }

    /// <summary>The policy that applies here.</summary>
    public Mismatch Mismatch { get; }

    /// <summary>The options of the call that started the restore (where warnings go), when it had some.</summary>
    public MsgpackOptions? Options => Run.Options;

    /// <summary>The checkpoint file being restored from, when there is one.</summary>
    public string? FilePath => Run.FilePath;

    /// <summary>
    /// Whether this is a dry run (<see cref="Msgpack.Reconcile(object?, StateNode)"/>): mismatches are collected
    /// instead of thrown, and nested restores return the template's own values. A handler that writes values read
    /// straight from the state into the template should skip that when this is true.
    /// </summary>
    public bool IsDryRun => Run.Log is not null;

    internal RestoreRun Run { get; }

    /// <summary>The context of the child <paramref name="key"/>.</summary>
    public CheckpointRestoreContext Child(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new CheckpointRestoreContext(Run, Path.Child(key), Mismatch);
    }

    /// <summary>The same place under another policy.</summary>
    /// <exception cref="ArgumentException"><paramref name="mismatch"/> is not a defined value.</exception>
    public CheckpointRestoreContext WithMismatch(Mismatch mismatch)
    {
        Validate(mismatch);
        return mismatch == Mismatch ? this : new CheckpointRestoreContext(Run, Path, mismatch);
    }

    /// <summary>
    /// Applies the policy to a mismatch (braintools' <c>_handle_mismatch</c>): throws a
    /// <see cref="CheckpointMismatchException"/>, raises a <see cref="CheckpointWarning"/> through the call's
    /// <see cref="MsgpackOptions.OnWarning"/> (else <see cref="Msgpack.Warning"/>), or does nothing. In a dry run it is
    /// recorded as a difference of kind <see cref="CheckpointDifferenceKind.Other"/>.
    /// </summary>
    /// <param name="message">The message without its place: <c> at path {Path}</c> is added.</param>
    /// <exception cref="CheckpointMismatchException">The policy is <see cref="Mismatch.Error"/>.</exception>
    public void ReportMismatch(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Report(message, new CheckpointDifference(Path.ToString(), CheckpointDifferenceKind.Other, message, string.Empty));
    }

    /// <summary>Restores <paramref name="state"/> into <paramref name="target"/> at this place (a part of the node this context restores).</summary>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the state does not fit.</exception>
    /// <exception cref="CheckpointException">The target holds a type that cannot be restored.</exception>
    public T Restore<T>(T target, StateNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return (T)RestoreValue(target, state, typeof(T))!;
    }

    /// <summary>
    /// Restores the child <paramref name="key"/> of <paramref name="state"/> into <paramref name="target"/>, with the
    /// key on the path (braintools' <c>msgpack_from_state_dict(x, sd[key], name=key)</c>). A missing key is a
    /// mismatch (the dict message) and keeps <paramref name="target"/>.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the child is missing or does not fit.</exception>
    /// <exception cref="CheckpointException">The target holds a type that cannot be restored.</exception>
    public T Restore<T>(T target, StateNode state, string key)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(key);
        if (state is not StateMap map || !map.TryGetValue(key, out StateNode? child))
        {
            Report(MismatchMessages.DictKeys([key]), Missing(key, target));
            return target;
        }

        return (T)RestoreChild(target, child, typeof(T), key)!;
    }

    /// <summary>The context a node was handed to an older-signature handler with, if it is such a node (or a direct child of one).</summary>
    internal static CheckpointRestoreContext? ForHandedNode(StateNode state) =>
        HandedNodes.TryGetValue(state, out CheckpointRestoreContext? context) ? context : null;

    /// <summary>Links <paramref name="state"/> and its direct children to this context while an older-signature handler runs.</summary>
    internal HandedNodeScope HandOut(StateNode state)
    {
        HandedNodes.AddOrUpdate(state, this);
        if (state is StateMap map)
        {
            foreach (KeyValuePair<string, StateNode> child in map)
            {
                HandedNodes.TryAdd(child.Value, this);
            }
        }

        return new HandedNodeScope(this, state);
    }

    internal static void Validate(Mismatch mismatch)
    {
        if (!Enum.IsDefined(mismatch))
        {
            throw MismatchMessages.Invalid(((int)mismatch).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Restores through the converter of the target's type (or, for a null target, of the declared type).</summary>
    internal object? RestoreValue(object? target, StateNode state, Type declared)
    {
        if (target is null)
        {
            return StateDictConverters.ForDeclared(declared).RestoreWithoutTarget(state, declared, this);
        }

        return StateDictConverters.For(target.GetType()).Restore(target, state, declared, this);
    }

    /// <summary>Restores one child, with its key on the path.</summary>
    internal object? RestoreChild(object? target, StateNode state, Type declared, string key)
    {
        CheckpointRestoreContext child = Child(key);

        // Loaded trees are bounded by MsgpackOptions.MaxDepth, trees built in memory are not: a stack overflow cannot be caught.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new CheckpointException($"The state nests deeper than this thread's stack can follow at path {child.Path}", FilePath, child.Path.ToString());
        }

        return child.RestoreValue(target, state, declared);
    }

    /// <summary>
    /// A mismatch here, with the difference a dry run records for it (more may follow through <see cref="Difference"/>).
    /// Applies the policy in a restore; in a dry run, records both and goes on as under <see cref="Mismatch.Ignore"/>.
    /// </summary>
    internal void Report(string message, CheckpointDifference? difference)
    {
        string full = $"{message} at path {Path}";
        if (Run.Log is { } log)
        {
            log.Mismatches.Add(new ReconcileLog.Mismatch(full, Path, Mismatch));
            if (difference is not null)
            {
                log.Differences.Add(difference);
            }

            return;
        }

        switch (Mismatch)
        {
            case Mismatch.Error:
                throw new CheckpointMismatchException(full, Path.ToString(), FilePath);
            case Mismatch.Warn:
                WarningSink.Deliver(new CheckpointWarning(full, Path.ToString(), FilePath), Options);
                break;
            case Mismatch.Ignore:
                break;
            default:
                throw MismatchMessages.Invalid(Mismatch.ToString());
        }
    }

    /// <summary>A difference a dry run lists: part of a mismatch already reported, or one a restore lets pass (an unexpected key, another dtype).</summary>
    internal void Difference(CheckpointDifference difference) => Run.Log?.Differences.Add(difference);

    /// <summary>Reports that <paramref name="state"/> is of another kind than <paramref name="expected"/>; returns <paramref name="target"/>, which is kept.</summary>
    internal object? TypeMismatch(object? target, StateNode state, string expected)
    {
        Report(
            MismatchMessages.Type(expected, state),
            IsDryRun ? new CheckpointDifference(Path.ToString(), CheckpointDifferenceKind.Type, Describe(target, expected), state.Describe()) : null);
        return target;
    }

    /// <summary>The difference of a key the target has and the state lacks (dry runs only).</summary>
    internal CheckpointDifference? Missing(string key, object? targetValue) =>
        IsDryRun ? new CheckpointDifference(Path.Child(key).ToString(), CheckpointDifferenceKind.Missing, Describe(targetValue, "a value"), "nothing") : null;

    /// <summary>Lists the keys of <paramref name="state"/> that the target does not have, for a dry run.</summary>
    internal void Unexpected(StateMap state, Func<string, bool> targetHas)
    {
        if (!IsDryRun)
        {
            return;
        }

        foreach (KeyValuePair<string, StateNode> item in state)
        {
            if (!targetHas(item.Key))
            {
                Difference(new CheckpointDifference(Path.Child(item.Key).ToString(), CheckpointDifferenceKind.Unexpected, "nothing", item.Value.Describe()));
            }
        }
    }

    // What the target holds, as its state dict describes it ("an int (0)", "a map of 2 keys"); only dry runs pay for it.
    private static string Describe(object? target, string fallback)
    {
        try
        {
            return StateDictConverters.ToStateDict(target).Describe();
        }
        catch (CheckpointException)
        {
            return fallback;
        }
    }

    /// <summary>Ends the link of <see cref="HandOut"/>.</summary>
    internal readonly struct HandedNodeScope(CheckpointRestoreContext context, StateNode state) : IDisposable
    {
        public void Dispose()
        {
            if (ForHandedNode(state) == context)
            {
                HandedNodes.Remove(state);
            }

            if (state is StateMap map)
            {
                foreach (KeyValuePair<string, StateNode> child in map)
                {
                    if (ForHandedNode(child.Value) == context)
                    {
                        HandedNodes.Remove(child.Value);
                    }
                }
            }
        }
    }
}
