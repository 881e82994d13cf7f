namespace BrainTools.Checkpoint;

/// <summary>The kind of a <see cref="CheckpointDifference"/>.</summary>
public enum CheckpointDifferenceKind
{
    /// <summary>The target has a key (or list element, or field) the state lacks; a restore keeps the target's value under warn/ignore.</summary>
    Missing,

    /// <summary>The state has a key the target lacks; a restore ignores it (records and namedtuples call it a field mismatch).</summary>
    Unexpected,

    /// <summary>Arrays of different shapes.</summary>
    Shape,

    /// <summary>Arrays (or numpy scalars) of different dtypes; a restore keeps the loaded dtype for <see cref="NdArray"/> and converts for typed .NET arrays.</summary>
    DType,

    /// <summary>Quantities of different units.</summary>
    Unit,

    /// <summary>Values of different kinds: a map where the target has a leaf, a string where it has a number, ...</summary>
    Type,

    /// <summary>A registered handler reported a mismatch of its own (<see cref="CheckpointRestoreContext.ReportMismatch(string)"/>); <see cref="CheckpointDifference.Expected"/> holds its message.</summary>
    Other,
}
