namespace BrainTools.Checkpoint;

/// <summary>
/// Leaves a property or field out of checkpoints: it is neither saved nor restored, and a module does not look
/// for States in it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class CheckpointIgnoreAttribute : Attribute
{
}
