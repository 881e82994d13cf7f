namespace BrainTools.Checkpoint.Serialization;

/// <summary>A registered pair of conversions for one type, stored untyped so that lookups need no reflection.</summary>
/// <param name="Type">The registered type; instances of derived types use it unless a more derived type is registered.</param>
/// <param name="ToStateDict">The object to what is saved for it (a dictionary, an array, a scalar, ...).</param>
/// <param name="FromStateDict">The template, the saved state and the policy to the restored object.</param>
internal sealed record SerializationHandler(
    Type Type,
    Func<object, object?> ToStateDict,
    Func<object, StateNode, Mismatch, object?> FromStateDict)
{
    /// <summary>Wraps typed conversions.</summary>
    public static SerializationHandler Create<T>(Func<T, object?> toStateDict, Func<T, StateNode, Mismatch, T> fromStateDict)
    {
        ArgumentNullException.ThrowIfNull(toStateDict);
        ArgumentNullException.ThrowIfNull(fromStateDict);
        return new SerializationHandler(typeof(T), value => toStateDict((T)value), (target, state, mismatch) => fromStateDict((T)target, state, mismatch));
    }
}
