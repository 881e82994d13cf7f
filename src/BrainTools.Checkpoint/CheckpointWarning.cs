namespace BrainTools.Checkpoint;

/// <summary>
/// A warning the library raises instead of failing, as braintools does with Python's <c>warnings.warn</c>:
/// a mismatch under <c>Mismatch.Warn</c>, an async save that had to wait for the previous one.
/// </summary>
/// <param name="Message">The message, word for word as braintools writes it.</param>
/// <param name="TreePath">The path in the tree it concerns (<c>./a/b</c>), when there is one.</param>
/// <param name="FilePath">The file it concerns, when there is one.</param>
public sealed record CheckpointWarning(string Message, string? TreePath = null, string? FilePath = null)
{
    /// <summary>The message.</summary>
    public override string ToString() => Message;
}
