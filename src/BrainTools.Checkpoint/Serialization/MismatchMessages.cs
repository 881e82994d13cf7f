using System.Globalization;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>braintools' mismatch messages, word for word, without the trailing <c>at path ...</c> that <see cref="RestoreContext.Report"/> adds.</summary>
internal static class MismatchMessages
{
    public static string DictKeys(IEnumerable<string> missing) =>
        $"The target dict keys and state dict keys do not match, target dict contains keys {Set(missing)} which are not present in state dict";

    public static string ListSize(int targetCount, int stateCount) =>
        string.Create(CultureInfo.InvariantCulture, $"The size of the list and the state dict do not match, got {targetCount} and {stateCount}");

    public static string FieldNames(IEnumerable<string> stateKeys, IEnumerable<string> fields) =>
        $"The field names of the state dict and the named tuple do not match, got {Set(stateKeys)} and {Set(fields)}";

    public static string ArrayShape(Shape expected, Shape actual) => $"Array shape mismatch: expected {expected}, got {actual}";

    public static string Unit(Unit expected, Unit actual) => $"Unit mismatch: expected {expected}, got {actual}";

    public static string Type(string expected, StateNode actual) => $"Type mismatch: expected {expected}, got {actual.Describe()}";

    /// <summary>A Python set of strings: <c>{'x', 'y'}</c>, or <c>set()</c>. Python's own order is by hash; ours is sorted, so messages are stable.</summary>
    public static string Set(IEnumerable<string> items)
    {
        string[] sorted = items.Order(StringComparer.Ordinal).ToArray();
        return sorted.Length == 0 ? "set()" : "{" + string.Join(", ", sorted.Select(PythonFormat.String)) + "}";
    }
}
