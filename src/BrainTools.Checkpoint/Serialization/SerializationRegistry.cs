using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// The types with their own state-dict conversions (braintools' <c>_STATE_DICT_REGISTRY</c>): the built-ins
/// (<see cref="State"/>, <see cref="Module"/>, <see cref="StateCollection"/>) and what users register.
/// </summary>
/// <remarks>
/// Thread-safe: registrations are serialized by a lock and publish an immutable snapshot; lookups read the
/// current snapshot without locking and cache the resolved handler per concrete type in it.
/// </remarks>
internal static class SerializationRegistry
{
    private static readonly Lock Gate = new();
    private static volatile Snapshot s_current = new(BuiltIns());

    /// <summary>
    /// The handlers every process starts with. A built-in handler is one line here; users may replace it with
    /// <c>@override: true</c>.
    /// </summary>
    private static ImmutableDictionary<Type, ImmutableList<SerializationHandler>> BuiltIns() => new[]
    {
        SerializationHandler.Create<State>(ModuleSerialization.StateToStateDict, ModuleSerialization.RestoreState),
        SerializationHandler.Create<Module>(ModuleSerialization.ModuleToStateDict, ModuleSerialization.RestoreModule),
        SerializationHandler.Create<StateCollection>(ModuleSerialization.CollectionToStateDict, ModuleSerialization.RestoreCollection),
        SerializationHandler.Create<Quantity>(QuantitySerialization.ToStateDict, QuantitySerialization.FromStateDict),
    }.ToImmutableDictionary(handler => handler.Type, ImmutableList.Create);

    /// <summary>The handler for <paramref name="type"/>: its own, else that of its most derived registered base class, else of a registered interface.</summary>
    /// <exception cref="CheckpointException">Two registered interfaces match and no class does.</exception>
    public static SerializationHandler? Find(Type type)
    {
        Snapshot snapshot = s_current;
        if (snapshot.Handlers.IsEmpty)
        {
            return null;
        }

        return snapshot.Resolved.GetOrAdd(type, static (t, handlers) => Resolve(t, handlers), snapshot.Handlers);
    }

    /// <summary>Registers <paramref name="handler"/>; with <paramref name="override"/>, it shadows the type's current handler until it is unregistered.</summary>
    /// <exception cref="InvalidOperationException">The type is registered and <paramref name="override"/> is false.</exception>
    public static void Register(SerializationHandler handler, bool @override)
    {
        lock (Gate)
        {
            ImmutableDictionary<Type, ImmutableList<SerializationHandler>> handlers = s_current.Handlers;
            if (handlers.TryGetValue(handler.Type, out ImmutableList<SerializationHandler>? chain) && !@override)
            {
                throw new InvalidOperationException($"a serialization handler for \"{handler.Type.Name}\" is already registered");
            }

            s_current = new Snapshot(handlers.SetItem(handler.Type, (chain ?? []).Add(handler)));
        }
    }

    /// <summary>
    /// Undoes one registration, whatever the order registrations are undone in: the type's handler becomes the
    /// latest registration still in force (or none).
    /// </summary>
    public static void Unregister(SerializationHandler handler)
    {
        lock (Gate)
        {
            ImmutableDictionary<Type, ImmutableList<SerializationHandler>> handlers = s_current.Handlers;
            if (!handlers.TryGetValue(handler.Type, out ImmutableList<SerializationHandler>? chain) || !chain.Contains(handler, ReferenceEqualityComparer.Instance))
            {
                return;
            }

            ImmutableList<SerializationHandler> rest = chain.Remove(handler, ReferenceEqualityComparer.Instance);
            s_current = new Snapshot(rest.IsEmpty ? handlers.Remove(handler.Type) : handlers.SetItem(handler.Type, rest));
        }
    }

    private static SerializationHandler? Resolve(Type type, ImmutableDictionary<Type, ImmutableList<SerializationHandler>> handlers)
    {
        // The first registered type on the way up the class chain is the most derived one.
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            if (handlers.TryGetValue(t, out ImmutableList<SerializationHandler>? chain))
            {
                return chain[^1];
            }
        }

        SerializationHandler[] byInterface = type.GetInterfaces()
            .Where(handlers.ContainsKey)
            .Select(i => handlers[i][^1])
            .ToArray();
        return byInterface.Length switch
        {
            0 => null,
            1 => byInterface[0],
            _ => throw new CheckpointException(
                $"{type} implements several registered interfaces ({string.Join(", ", byInterface.Select(h => h.Type.Name))}); register {type.Name} itself to choose."),
        };
    }

    private sealed class Snapshot(ImmutableDictionary<Type, ImmutableList<SerializationHandler>> handlers)
    {
        public ImmutableDictionary<Type, ImmutableList<SerializationHandler>> Handlers { get; } = handlers;

        public ConcurrentDictionary<Type, SerializationHandler?> Resolved { get; } = new();
    }
}
