namespace BrainTools.Checkpoint;

/// <summary>
/// A msgpack extension value of a type code this library does not interpret. Kept as it was read so that a
/// load followed by a save writes it back unchanged.
/// </summary>
/// <param name="TypeCode">The ext type code.</param>
/// <param name="Data">The payload bytes.</param>
public sealed record ExtensionValue(sbyte TypeCode, ReadOnlyMemory<byte> Data)
{
    /// <inheritdoc />
    public bool Equals(ExtensionValue? other) => other is not null && other.TypeCode == TypeCode && other.Data.Span.SequenceEqual(Data.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TypeCode, Data.Length);

    /// <summary>Python's form of msgpack's <c>ExtType</c>.</summary>
    public override string ToString() => $"ExtType(code={TypeCode}, data={PythonFormat.Bytes(Data.Span)})";
}
