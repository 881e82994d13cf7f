using System.Buffers;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The ways into the one wire reader (<see cref="WireWalker{TBuilder, TNode, TMap}"/>): a state-dict tree from data in
/// memory, an early look at the first bytes of a large file, the index of a source (mapped or not).
/// </summary>
internal static class WireReader
{
    /// <summary>How much of a large file is walked before the rest is read, to refuse what is plainly not a checkpoint.</summary>
    public const int PrefixLength = 64 << 10;

    /// <summary>Reads the tree <paramref name="data"/> holds.</summary>
    /// <param name="data">The bytes of one checkpoint.</param>
    /// <param name="storage">The memory <paramref name="data"/> was made over (offset 0 = its start), for zero-copy arrays; or null to copy.</param>
    /// <param name="options">Limits.</param>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint (without a file name).</exception>
    public static StateNode ReadTree(ReadOnlySequence<byte> data, ArrayStorage? storage, MsgpackOptions options) =>
        new WireWalker<StateTreeBuilder, StateNode, StateMap>(data, data.Length, new StateTreeBuilder(storage), options).ReadRoot();

    /// <summary>
    /// Walks the first bytes of data of <paramref name="length"/> bytes: the error the whole data would give, when those
    /// bytes already show it (an all-zero file is one value of one byte, then garbage); else null.
    /// </summary>
    public static InvalidCheckpointException? CheckPrefix(ReadOnlySequence<byte> prefix, long length, MsgpackOptions options) =>
        new WireWalker<StateTreeBuilder, StateNode, StateMap>(prefix, length, new StateTreeBuilder(null), options).TryReadPrefix(out InvalidCheckpointException? error)
            ? error
            : null;

    /// <summary>Indexes a checkpoint: headers come by positional reads of the source, array payloads are skipped, untouched.</summary>
    /// <param name="source">The checkpoint's bytes.</param>
    /// <param name="mapping">The same bytes mapped (arrays become views of it), or null for a source without a mapping.</param>
    /// <param name="arrays">Where the index's arrays point, offset 0 = the source's start: the mapping, or an <see cref="UnreadArrayStorage"/>.</param>
    /// <param name="options">Limits.</param>
    /// <param name="bytesRead">What the walk read from the source.</param>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint (without a file name).</exception>
    public static WireEntry ReadIndex(ICheckpointSource source, ArrayStorage? mapping, ArrayStorage arrays, MsgpackOptions options, out long bytesRead)
    {
        var window = new WireWindow(source, mapping);
        var walker = new WireWalker<WireIndexBuilder, WireEntry, WireIndexBuilder.MapEntries>(window, new WireIndexBuilder(arrays), options);
        try
        {
            return walker.ReadRoot();
        }
        finally
        {
            window.Finish();
            bytesRead = window.BytesRead;
        }
    }
}
