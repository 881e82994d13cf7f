namespace BrainTools.Checkpoint;

/// <summary>One value a conversion to or from another file format could not carry over as it was (<see cref="ConversionReport"/>).</summary>
/// <param name="Path">Where in the tree, as braintools writes paths: <c>./layers/0/weight</c>; <c>.</c> is the root.</param>
/// <param name="Message">What happened to it: <c>an int, stored as a 0-d int64 array</c>, <c>safetensors has no complex128 dtype</c>.</param>
/// <param name="Dropped">True when the value is left out (the format cannot hold it); false when it is kept in another form.</param>
public sealed record ConversionNote(string Path, string Message, bool Dropped)
{
    /// <summary><c>./x: changed: an int, stored as a 0-d int64 array</c>.</summary>
    public override string ToString() => $"{Path}: {(Dropped ? "dropped" : "changed")}: {Message}";
}
