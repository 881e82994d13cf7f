namespace BrainTools.Checkpoint;

/// <summary>What a <see cref="StoreCondition"/> asks of a commit.</summary>
public enum StoreConditionKind
{
    /// <summary>Nothing: the write replaces what is there.</summary>
    None,

    /// <summary>Nothing may have the name yet.</summary>
    IfAbsent,

    /// <summary>The name must still hold the given version.</summary>
    IfVersion,
}
