namespace BrainTools.Checkpoint;

/// <summary>
/// Gives a property or field the key it has in a checkpoint, instead of its snake_case name
/// (<c>RunningMean</c> is <c>running_mean</c> by default), as <c>[JsonPropertyName]</c> does for JSON.
/// </summary>
/// <param name="name">The key, exactly as in the file.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class CheckpointNameAttribute(string name) : Attribute
{
    /// <summary>The key in the checkpoint.</summary>
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));
}
