using System.Runtime.CompilerServices;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Raised for every warning of every call that has no <see cref="MsgpackOptions.OnWarning"/> handler of its own.
    /// With no subscriber either, warnings are written to standard error as <c>UserWarning: {message}</c>, as
    /// Python prints them. Handlers may run on a background thread (async saves).
    /// </summary>
    public static event EventHandler<CheckpointWarning>? Warning;

    /// <summary>
    /// The composition root's wiring, run when the assembly loads, before any layer can warn or convert: the
    /// process-wide warnings go to <see cref="Warning"/>, and the converters of the layers above Serialization
    /// (States, modules, quantities) are registered, so users may replace them with <c>@override</c>.
    /// </summary>
#pragma warning disable CA2255 // A library's module initializer is the point here: every entry point, not only the facade, must see the wiring.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Compose()
    {
        WarningSink.SetFallback(RaiseWarning);
        SerializationRegistry.Register(new RegisteredConverter(typeof(State), new StateValueConverter()), @override: false);
        SerializationRegistry.Register(new RegisteredConverter(typeof(Module), new ModuleConverter()), @override: false);
        SerializationRegistry.Register(new RegisteredConverter(typeof(StateCollection), new StateCollectionConverter()), @override: false);
        SerializationRegistry.Register(new RegisteredConverter(typeof(Quantity), new QuantityConverter()), @override: false);
        SerializationRegistry.AddRawMapRestore(QuantityConverter.RestoreRawMap);
    }

    /// <summary>Delivers a warning to the call's handler, else to <see cref="Warning"/>, else to standard error.</summary>
    internal static void Warn(CheckpointWarning warning, MsgpackOptions? options) => WarningSink.Deliver(warning, options);

    private static bool RaiseWarning(CheckpointWarning warning)
    {
        EventHandler<CheckpointWarning>? subscribers = Warning;
        if (subscribers is null)
        {
            return false;
        }

        subscribers(null, warning);
        return true;
    }
}
