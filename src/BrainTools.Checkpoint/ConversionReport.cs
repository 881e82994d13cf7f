namespace BrainTools.Checkpoint;

/// <summary>
/// What a save to (or a load from) safetensors or npz could not carry over as it was: values stored in another form
/// (kept, but they load back differently) and values the format cannot hold at all (dropped). Nothing is left out
/// without a note here.
/// </summary>
/// <remarks>Not thread-safe: one report belongs to one call.</remarks>
public sealed class ConversionReport
{
    private readonly List<ConversionNote> _notes = [];

    /// <summary>The notes in tree order.</summary>
    public IReadOnlyList<ConversionNote> Notes => _notes;

    /// <summary>Whether some value was (or would be) left out.</summary>
    public bool HasDropped => _notes.Exists(n => n.Dropped);

    /// <summary>Notes a value kept in another form.</summary>
    internal void Changed(string path, string message) => _notes.Add(new ConversionNote(path, message, false));

    /// <summary>Notes a value the format cannot hold.</summary>
    internal void Dropped(string path, string message) => _notes.Add(new ConversionNote(path, message, true));
}
