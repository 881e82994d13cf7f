using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>
/// The types with converters of their own (braintools' <c>_STATE_DICT_REGISTRY</c>): what users register and the
/// built-ins the composition root adds for the higher layers (<see cref="State"/>, <see cref="Module"/>,
/// <see cref="StateCollection"/>, <see cref="Quantity"/>), plus the resolved converter of every type seen since the
/// last registration.
/// </summary>
/// <remarks>
/// Thread-safe: registrations are serialized by a lock and publish an immutable snapshot; lookups read the
/// current snapshot without locking and cache the resolved converter per concrete type in it, so a registration
/// never races a lookup and a new registration is seen by every later save and restore.
/// </remarks>
internal static class SerializationRegistry
{
    private static readonly Lock Gate = new();
    private static volatile Snapshot s_current = new(ImmutableDictionary<Type, ImmutableList<IRegisteredConverter>>.Empty, []);

    /// <summary>The registered converter for <paramref name="type"/>: its own, else that of its most derived registered base class, else of a registered interface.</summary>
    /// <exception cref="CheckpointException">Two registered interfaces match and no class does.</exception>
    public static IRegisteredConverter? Find(Type type)
    {
        Snapshot snapshot = s_current;
        return snapshot.Registered.IsEmpty ? null : FindIn(snapshot.Registered, type);
    }

    /// <summary>The converter of <paramref name="type"/>, resolved once per snapshot by <paramref name="resolve"/>.</summary>
    public static StateDictConverter Resolve(Type type, Func<Type, StateDictConverter> resolve) =>
        s_current.Resolved.GetOrAdd(type, resolve);

    /// <summary>The restores of raw maps that a higher layer recognises (a quantity's map), in registration order.</summary>
    public static ImmutableArray<RawMapRestore> RawMapRestores => s_current.RawMapRestores;

    /// <summary>Registers <paramref name="converter"/>; with <paramref name="override"/>, it shadows the type's current one until it is unregistered.</summary>
    /// <exception cref="InvalidOperationException">The type is registered and <paramref name="override"/> is false.</exception>
    public static void Register(IRegisteredConverter converter, bool @override)
    {
        lock (Gate)
        {
            Snapshot current = s_current;
            if (current.Registered.TryGetValue(converter.Type, out ImmutableList<IRegisteredConverter>? chain) && !@override)
            {
                throw new InvalidOperationException($"a serialization handler for \"{converter.Type.Name}\" is already registered");
            }

            s_current = new Snapshot(current.Registered.SetItem(converter.Type, (chain ?? []).Add(converter)), current.RawMapRestores);
        }
    }

    /// <summary>Adds the restore of raw maps of a higher layer's type (for restores into raw trees and <c>ckpt check</c>).</summary>
    public static void AddRawMapRestore(RawMapRestore reader)
    {
        lock (Gate)
        {
            Snapshot current = s_current;
            s_current = new Snapshot(current.Registered, current.RawMapRestores.Add(reader));
        }
    }

    /// <summary>
    /// Undoes one registration, whatever the order registrations are undone in: the type's converter becomes the
    /// latest registration still in force (or none).
    /// </summary>
    public static void Unregister(IRegisteredConverter converter)
    {
        lock (Gate)
        {
            Snapshot current = s_current;
            if (!current.Registered.TryGetValue(converter.Type, out ImmutableList<IRegisteredConverter>? chain) || !chain.Contains(converter, ReferenceEqualityComparer.Instance))
            {
                return;
            }

            ImmutableList<IRegisteredConverter> rest = chain.Remove(converter, ReferenceEqualityComparer.Instance);
            s_current = new Snapshot(rest.IsEmpty ? current.Registered.Remove(converter.Type) : current.Registered.SetItem(converter.Type, rest), current.RawMapRestores);
        }
    }

    private static IRegisteredConverter? FindIn(ImmutableDictionary<Type, ImmutableList<IRegisteredConverter>> registered, Type type)
    {
        // The first registered type on the way up the class chain is the most derived one.
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            if (registered.TryGetValue(t, out ImmutableList<IRegisteredConverter>? chain))
            {
                return chain[^1];
            }
        }

        IRegisteredConverter[] byInterface = type.GetInterfaces()
            .Where(registered.ContainsKey)
            .Select(i => registered[i][^1])
            .ToArray();
        return byInterface.Length switch
        {
            0 => null,
            1 => byInterface[0],
            _ => throw new CheckpointException(
                $"{type} implements several registered interfaces ({string.Join(", ", byInterface.Select(h => h.Type.Name))}); register {type.Name} itself to choose."),
        };
    }

    private sealed class Snapshot(ImmutableDictionary<Type, ImmutableList<IRegisteredConverter>> registered, ImmutableArray<RawMapRestore> rawMapRestores)
    {
        public ImmutableDictionary<Type, ImmutableList<IRegisteredConverter>> Registered { get; } = registered;

        public ImmutableArray<RawMapRestore> RawMapRestores { get; } = rawMapRestores;

        public ConcurrentDictionary<Type, StateDictConverter> Resolved { get; } = new();
    }
}
