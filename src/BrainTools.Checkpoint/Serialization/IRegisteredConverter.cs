namespace BrainTools.Checkpoint.Serialization;

/// <summary>A converter held by <see cref="SerializationRegistry"/> for a type and the types derived from it.</summary>
internal interface IRegisteredConverter
{
    /// <summary>The registered type (a class, struct or interface).</summary>
    Type Type { get; }

    /// <summary>The converter for it.</summary>
    StateDictConverter Converter { get; }
}
