namespace BrainTools.Checkpoint.Serialization;

/// <summary>.NET type names for messages: <c>Int32</c>, <c>Dictionary&lt;String, Object&gt;</c>, <c>Int32?</c>.</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Of(inner) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Of))}>";
    }
}
