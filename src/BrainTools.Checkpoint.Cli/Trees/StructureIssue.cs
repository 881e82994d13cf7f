namespace BrainTools.Checkpoint.Cli.Trees;

/// <summary>One finding of <see cref="StructureComparison"/>: <c>missing</c>, <c>extra</c> or <c>mismatch</c> at a path.</summary>
/// <param name="Kind">missing (in the structure, not in the file), extra (in the file only) or mismatch.</param>
/// <param name="Path">Keys joined by <c>/</c>.</param>
/// <param name="Detail">What differs: <c>shape (3, 2), expected (2, 2)</c>.</param>
internal sealed record StructureIssue(string Kind, string Path, string Detail)
{
    public const string Missing = "missing";

    public const string Extra = "extra";

    public const string Mismatch = "mismatch";
}
