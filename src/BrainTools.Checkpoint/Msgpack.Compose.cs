using System.Runtime.CompilerServices;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
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
}
