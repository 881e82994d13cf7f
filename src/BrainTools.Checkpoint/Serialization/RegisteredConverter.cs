namespace BrainTools.Checkpoint.Serialization;

/// <summary>A built-in converter of a higher layer (States, modules, quantities) as the registry holds it, so users may replace it with <c>@override</c>.</summary>
/// <param name="Type">The type it converts, and the types derived from it.</param>
/// <param name="Converter">The converter.</param>
internal sealed record RegisteredConverter(Type Type, StateDictConverter Converter) : IRegisteredConverter;
