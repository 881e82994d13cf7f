using System.Globalization;

namespace BrainTools.Checkpoint.Serialization;

/// <summary>braintools' messages, word for word; mismatch texts come without the trailing <c>at path ...</c> that <see cref="CheckpointRestoreContext"/> adds.</summary>
internal static class MismatchMessages
{
    public static string DictKeys(IEnumerable<string> missing) =>
        $"The target dict keys and state dict keys do not match, target dict contains keys {Set(missing)} which are not present in state dict";

    public static string ListSize(int targetCount, int stateCount) =>
        string.Create(CultureInfo.InvariantCulture, $"The size of the list and the state dict do not match, got {targetCount} and {stateCount}");

    public static string FieldNames(IEnumerable<string> stateKeys, IEnumerable<string> fields) =>
        $"The field names of the state dict and the named tuple do not match, got {Set(stateKeys)} and {Set(fields)}";

    public static string ArrayShape(Shape expected, Shape actual) => $"Array shape mismatch: expected {expected}, got {actual}";

    public static string Unit(string expected, string actual) => $"Unit mismatch: expected {expected}, got {actual}";

    public static string Type(string expected, StateNode actual) => $"Type mismatch: expected {expected}, got {actual.Describe()}";

    /// <summary>braintools' <c>Failed to reconstruct namedtuple StrictNT at path .: {error}. Ensure the namedtuple class definition is available.</c></summary>
    public static string Reconstruct(string typeName, TreePath path, Exception error) =>
        $"Failed to reconstruct namedtuple {typeName} at path {path}: {error.Message.TrimEnd('.')}. Ensure the namedtuple class definition is available.";

    /// <summary>braintools' <c>Dict keys do not have a unique string representation. Collisions: {'1': [1, '1']}</c>, then where.</summary>
    public static string Collisions(IEnumerable<IGrouping<string, object?>> collisions, TreePath path) =>
        "Dict keys do not have a unique string representation. Collisions: {"
        + string.Join(", ", collisions.Select(group => $"{PythonFormat.String(group.Key)}: [{string.Join(", ", group.Select(Repr))}]"))
        + $"}} at path {path}";

    /// <summary><c>Invalid mismatch mode: 'x'. Must be one of 'error', 'warn', or 'ignore'.</c></summary>
    public static ArgumentException Invalid(string? mode) => new($"Invalid mismatch mode: '{mode}'. Must be one of 'error', 'warn', or 'ignore'.");

    /// <summary>A Python set of strings: <c>{'x', 'y'}</c>, or <c>set()</c>. Python's own order is by hash; ours is sorted, so messages are stable.</summary>
    public static string Set(IEnumerable<string> items)
    {
        string[] sorted = items.Order(StringComparer.Ordinal).ToArray();
        return sorted.Length == 0 ? "set()" : "{" + string.Join(", ", sorted.Select(PythonFormat.String)) + "}";
    }

    // Python's repr of a dict key: 1, '1', True, None, 0.5.
    private static string Repr(object? key) => key switch
    {
        null => "None",
        string s => PythonFormat.String(s),
        bool b => b ? "True" : "False",
        double d => PythonFormat.Float(d),
        float f => PythonFormat.Float(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? string.Empty,
    };
}
