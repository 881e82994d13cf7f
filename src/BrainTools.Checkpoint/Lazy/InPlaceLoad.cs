using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint.Lazy;

/// <summary>
/// A load into the template's own memory (<see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>, the checkpoint manager's
/// <c>RestoreInto</c>): the file is indexed, only the entries the template reaches are taken (as untouched views
/// of the mapping), the ordinary restore runs with an <see cref="InPlaceArraySink"/>, and only when it has passed
/// every check are the arrays read from the file, by positional reads, into the template's memory.
/// </summary>
internal static class InPlaceLoad
{
    /// <summary>Restores the checkpoint at <paramref name="path"/> into <paramref name="target"/>'s memory.</summary>
    /// <exception cref="FileNotFoundException"><c>Checkpoint not found: {path}</c>.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the file does not fit; no array was changed.</exception>
    public static T Run<T>(string path, T target, Mismatch mismatch, MsgpackOptions options)
    {
        using var source = new FileCheckpointSource(path);
        return Run(source, target, mismatch, options);
    }

    /// <summary>Restores the checkpoint <paramref name="source"/> holds into <paramref name="target"/>'s memory; the source stays open.</summary>
    /// <exception cref="InvalidCheckpointException">The data is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the data does not fit; no array was changed.</exception>
    public static T Run<T>(ICheckpointSource source, T target, Mismatch mismatch, MsgpackOptions options)
    {
        using CheckpointReader reader = CheckpointReader.Open(source, ownsSource: false, options);
        StateNode state = reader.ReadMatching(target, handOut: false);
        var sink = new InPlaceArraySink();
        T result = (T)StateDictConverters.Restore(target, state, typeof(T), mismatch, new RestoreRun(options, source.Name, sink))!;

        // Only now, with every check passed, do the template's arrays change: all at once, reads shared by all cores.
        sink.CopyAll(reader);
        return result;
    }
}
