namespace BrainTools.Checkpoint;

/// <summary>One <c>.npy</c> member of an opened <c>.npz</c> archive (<see cref="NpzArchive"/>), as its zip directory lists it.</summary>
/// <param name="Name">The member's name without <c>.npy</c>: the tree path's keys joined by <c>/</c> (<c>layers/0/weight</c>).</param>
/// <param name="TreePath">Where its value sits in the tree, as braintools writes paths (<c>./layers/0/weight</c>).</param>
/// <param name="CompressedLength">Its bytes in the archive.</param>
/// <param name="Length">Its bytes once inflated (the .npy header and the array).</param>
public sealed record NpzMember(string Name, string TreePath, long CompressedLength, long Length);
