using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The ways into the one wire reader (<see cref="WireWalker{TBuilder, TNode, TMap}"/>): a state-dict tree from data in
/// memory, an early look at the first bytes of a large file, the index of a mapped file.
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

    /// <summary>Indexes a mapped file: headers come by positional reads, array payloads are skipped, untouched.</summary>
    /// <param name="handle">The file, open for reading.</param>
    /// <param name="file">The same file mapped: arrays become views of it.</param>
    /// <param name="options">Limits.</param>
    /// <param name="bytesRead">What the walk read from the file.</param>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint (without a file name).</exception>
    public static WireEntry ReadIndex(SafeFileHandle handle, ArrayStorage file, MsgpackOptions options, out long bytesRead)
    {
        var window = new WireWindow(handle, file);
        var walker = new WireWalker<WireIndexBuilder, WireEntry, WireIndexBuilder.MapEntries>(window, new WireIndexBuilder(file), options);
        try
        {
            return walker.ReadRoot();
        }
        finally
        {
            bytesRead = window.BytesRead;
        }
    }
}
