using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Registers how to save and restore <typeparamref name="T"/> (braintools'
    /// <c>msgpack_register_serialization</c>). Instances of <typeparamref name="T"/> and of types derived from it are
    /// saved as what <paramref name="toStateDict"/> returns and restored by <paramref name="fromStateDict"/>; for a
    /// derived type, the most derived registered type wins.
    /// </summary>
    /// <typeparam name="T">The type; a class, struct or interface.</typeparam>
    /// <param name="toStateDict">The object to its state: a dictionary, an array, a value (anything <see cref="ToStateDict(object?)"/> takes).</param>
    /// <param name="fromStateDict">
    /// The template, the saved state and the policy to the restored object. Read the state with casts
    /// (<c>(int)state["input_size"]</c>, <c>(NdArray)state["weights"]</c>); restore parts with
    /// <see cref="FromStateDict{T}(T, StateNode, string, Mismatch)"/>; report what does not fit with <see cref="ReportMismatch"/>.
    /// </param>
    /// <param name="override">Replace an existing registration instead of failing.</param>
    /// <remarks>Thread-safe; takes effect for saves and loads that start afterwards. Built-in handlers (<see cref="State"/>, <see cref="Module"/>) may be replaced with <paramref name="override"/>.</remarks>
    /// <exception cref="InvalidOperationException"><c>a serialization handler for "T" is already registered</c>, when <paramref name="override"/> is false.</exception>
    public static void RegisterSerialization<T>(Func<T, object?> toStateDict, Func<T, StateNode, Mismatch, T> fromStateDict, bool @override = false) =>
        SerializationRegistry.Register(SerializationHandler.Create(toStateDict, fromStateDict), @override);

    /// <summary>
    /// Registers like <see cref="RegisterSerialization{T}"/> until the result is disposed, which undoes just this
    /// registration: the type's handler becomes the latest registration still in force, in whatever order scopes are
    /// disposed. Handy in tests.
    /// </summary>
    /// <example><c>using var _ = Msgpack.RegisterSerializationScoped&lt;Layer&gt;(ToDict, FromDict);</c></example>
    /// <exception cref="InvalidOperationException">The type is registered and <paramref name="override"/> is false.</exception>
    public static IDisposable RegisterSerializationScoped<T>(Func<T, object?> toStateDict, Func<T, StateNode, Mismatch, T> fromStateDict, bool @override = false)
    {
        SerializationHandler handler = SerializationHandler.Create(toStateDict, fromStateDict);
        SerializationRegistry.Register(handler, @override);
        return new Registration(handler);
    }

    /// <summary>Whether a handler is registered for <typeparamref name="T"/> itself (not only for a base type).</summary>
    public static bool IsSerializationRegistered<T>() => SerializationRegistry.Find(typeof(T)) is { } handler && handler.Type == typeof(T);

    private sealed class Registration(SerializationHandler handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                SerializationRegistry.Unregister(handler);
            }
        }
    }
}
