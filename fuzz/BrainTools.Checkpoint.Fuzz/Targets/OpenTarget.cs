namespace BrainTools.Checkpoint.Fuzz.Targets;

/// <summary>
/// <c>Msgpack.Open(path)</c>, then every entry of the index read (each array, each sub-tree, the first row of each
/// array with rows) and the whole tree: an index and reads, or an <see cref="InvalidCheckpointException"/>.
/// </summary>
internal sealed class OpenTarget : FuzzTarget
{
    public override string Name => "open";

    public override void Run(byte[] input)
    {
        string path = ScratchFile.Write("open.msgpack", input);
        try
        {
            using CheckpointReader reader = Msgpack.Open(path, MsgpackOptions.UntrustedData);
            foreach (CheckpointEntry entry in reader.Root.Descendants())
            {
                if (entry.Kind == StateNodeKind.NdArray)
                {
                    _ = reader.ReadArray(entry).Shape;
                }

                if (reader.TryGetEntry(entry.Path, out CheckpointEntry? found) && ReferenceEquals(found, entry))
                {
                    TreeWalk.Count(reader.ReadTree(entry.Path));
                    if (entry.Kind == StateNodeKind.NdArray && entry.Shape.Rank > 0 && entry.Shape[0] > 0)
                    {
                        _ = reader.ReadRows(entry.Path, 0, 1).Shape;
                    }
                }
            }

            TreeWalk.Count(reader.ReadTree());
        }
        catch (InvalidCheckpointException)
        {
        }
    }
}
