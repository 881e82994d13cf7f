using BrainTools.Checkpoint.Fuzz.Sources;

namespace BrainTools.Checkpoint.Fuzz.Targets;

/// <summary>
/// <c>Msgpack.Open(path)</c>, then every entry of the index read (each array, each sub-tree, the first row of each
/// array with rows) and the whole tree: an index and reads, or an <see cref="InvalidCheckpointException"/>. Then the
/// same bytes opened from a source that is not mapped (as a blob is): the same tree, or the same error (reason, byte
/// offset, tree path); anything else is a crash.
/// </summary>
internal sealed class OpenTarget : FuzzTarget
{
    public override string Name => "open";

    public override void Run(byte[] input)
    {
        string fromFile = Outcome(() => OpenAndReadAll(Msgpack.Open(ScratchFile.Write("open.msgpack", input), MsgpackOptions.UntrustedData)));
        string fromSource = Outcome(() => OpenAndReadAll(Msgpack.Open(new BytesSource(input), MsgpackOptions.UntrustedData)));
        if (fromFile != fromSource)
        {
            throw new InvalidOperationException($"Open of a file and of a source disagree: {fromFile} | {fromSource}");
        }
    }

    // The tree's bytes, or the error's reason, offset and path: what must agree.
    private static string Outcome(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (InvalidCheckpointException e)
        {
            return $"{e.Reason} @{e.ByteOffset} {e.TreePath}";
        }
    }

    private static string OpenAndReadAll(CheckpointReader opened)
    {
        using CheckpointReader reader = opened;
        {
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

            return TreeWalk.Fingerprint(reader.ReadTree());
        }
    }
}
