using System.Runtime.CompilerServices;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Registers how to save and restore <typeparamref name="T"/> (braintools'
    /// <c>msgpack_register_serialization</c>). Instances of <typeparamref name="T"/> and of types derived from it are
    /// saved as what <paramref name="toStateDict"/> returns and restored by <paramref name="fromStateDict"/>; for a
    /// derived type, the most derived registered type wins. The registration is the type's one converter: saves,
    /// restores and <see cref="Reconcile(object?, StateNode)"/> all use it (for enums and scalars too).
    /// </summary>
    /// <typeparam name="T">The type; a class, struct, enum or interface.</typeparam>
    /// <param name="toStateDict">The object to its state: a dictionary, an array, a value (anything <see cref="ToStateDict(object?)"/> takes).</param>
    /// <param name="fromStateDict">
    /// The template, the saved state and the context of its node to the restored object. Read the state with casts
    /// (<c>(int)state["input_size"]</c>, <c>(NdArray)state["weights"]</c>); restore parts with
    /// <see cref="CheckpointRestoreContext.Restore{T}(T, StateNode, string)"/> (or
    /// <see cref="FromStateDict{T}(T, StateNode, string, CheckpointRestoreContext)"/>); report what does not fit with
    /// <see cref="CheckpointRestoreContext.ReportMismatch(string)"/>. The context's <see cref="CheckpointRestoreContext.Mismatch"/>
    /// is the policy.
    /// </param>
    /// <param name="override">Replace an existing registration instead of failing.</param>
    /// <remarks>
    /// Thread-safe; takes effect for saves and loads that start afterwards. Built-in converters (<see cref="State"/>,
    /// <see cref="Module"/>, <see cref="StateCollection"/>, <see cref="Quantity"/>) may be replaced with <paramref name="override"/>.
    /// A lambda written as <c>(target, state, mismatch) =&gt; ...</c> binds to this overload (its third parameter being the
    /// context) whenever its body compiles that way, which it does when it passes the third parameter only to the
    /// facade's <c>FromStateDict</c> and <c>ReportMismatch</c>; otherwise it binds to the older signature.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>a serialization handler for "T" is already registered</c>, when <paramref name="override"/> is false.</exception>
    [OverloadResolutionPriority(1)]
    public static void RegisterSerialization<T>(Func<T, object?> toStateDict, Func<T, StateNode, CheckpointRestoreContext, T> fromStateDict, bool @override = false) =>
        SerializationRegistry.Register(new HandlerConverter<T>(toStateDict, fromStateDict), @override);

    /// <summary>
    /// Registers with a restore function of the older signature, which gets the policy but no context (a method
    /// such as <c>static Layer FromDict(Layer layer, StateNode state, Mismatch mismatch)</c>); otherwise as
    /// <see cref="RegisterSerialization{T}(Func{T, object?}, Func{T, StateNode, CheckpointRestoreContext, T}, bool)"/>.
    /// </summary>
    /// <remarks>
    /// Migration: change the third parameter's type to <see cref="CheckpointRestoreContext"/> and pass it where the policy
    /// was passed: <see cref="FromStateDict{T}(T, StateNode, string, CheckpointRestoreContext)"/> and
    /// <see cref="ReportMismatch(string, CheckpointRestoreContext)"/> take it, and code that needs the policy reads
    /// <see cref="CheckpointRestoreContext.Mismatch"/>. Until then, the node handed to such a function (and its direct children) stays
    /// linked to its restore while it runs, so <see cref="FromStateDict{T}(T, StateNode, string, Mismatch)"/> and
    /// <see cref="FromStateDict{T}(T, StateNode, Mismatch, MsgpackOptions?)"/> on it join that restore, across <c>await</c> too;
    /// <see cref="ReportMismatch(string, Mismatch)"/> cannot, and reports at <c>.</c>. Two restores of the very same
    /// state tree at once through such functions may join each other's restore; the context signature never does.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>a serialization handler for "T" is already registered</c>, when <paramref name="override"/> is false.</exception>
    public static void RegisterSerialization<T>(Func<T, object?> toStateDict, Func<T, StateNode, Mismatch, T> fromStateDict, bool @override = false) =>
        SerializationRegistry.Register(new HandlerConverter<T>(toStateDict, fromStateDict), @override);

    /// <summary>
    /// Registers like <see cref="RegisterSerialization{T}(Func{T, object?}, Func{T, StateNode, CheckpointRestoreContext, T}, bool)"/>
    /// until the result is disposed, which undoes just this registration: the type's converter becomes the latest
    /// registration still in force, in whatever order scopes are disposed. Handy in tests.
    /// </summary>
    /// <example><c>using var _ = Msgpack.RegisterSerializationScoped&lt;Layer&gt;(ToDict, (layer, state, context) =&gt; ...);</c></example>
    /// <exception cref="InvalidOperationException">The type is registered and <paramref name="override"/> is false.</exception>
    [OverloadResolutionPriority(1)]
    public static IDisposable RegisterSerializationScoped<T>(Func<T, object?> toStateDict, Func<T, StateNode, CheckpointRestoreContext, T> fromStateDict, bool @override = false) =>
        Scoped(new HandlerConverter<T>(toStateDict, fromStateDict), @override);

    /// <summary>Registers a restore function of the older signature until the result is disposed; see <see cref="RegisterSerialization{T}(Func{T, object?}, Func{T, StateNode, Mismatch, T}, bool)"/>.</summary>
    /// <exception cref="InvalidOperationException">The type is registered and <paramref name="override"/> is false.</exception>
    public static IDisposable RegisterSerializationScoped<T>(Func<T, object?> toStateDict, Func<T, StateNode, Mismatch, T> fromStateDict, bool @override = false) =>
        Scoped(new HandlerConverter<T>(toStateDict, fromStateDict), @override);

    /// <summary>Whether a converter is registered for <typeparamref name="T"/> itself (not only for a base type); true for the built-in <see cref="State"/>, <see cref="Module"/>, <see cref="StateCollection"/> and <see cref="Quantity"/>.</summary>
    public static bool IsSerializationRegistered<T>() => SerializationRegistry.Find(typeof(T)) is { } registered && registered.Type == typeof(T);

    private static Registration Scoped(IRegisteredConverter converter, bool @override)
    {
        SerializationRegistry.Register(converter, @override);
        return new Registration(converter);
    }

    private sealed class Registration(IRegisteredConverter converter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                SerializationRegistry.Unregister(converter);
            }
        }
    }
}
