using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Lazy;

/// <summary>An array of a reader's tree that a restore in place will copy into a template's array.</summary>
/// <param name="Source">The array as read (a view of the file, or a copy of its own).</param>
/// <param name="Destination">The template's array, of the same shape.</param>
/// <param name="TreePath">Where in the tree, for errors.</param>
internal readonly record struct PendingCopy(NdArray Source, NdArray Destination, string TreePath);
