namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>
/// What a conversion could not carry over as it was: values stored in another form (kept, but they load back
/// differently) and values the target format cannot hold at all (dropped). Nothing is left out without a line here.
/// </summary>
internal sealed class ConversionReport
{
    private readonly List<(string Path, string Message, bool Dropped)> _notes = [];

    public IReadOnlyList<(string Path, string Message, bool Dropped)> Notes => _notes;

    public bool HasDropped => _notes.Any(n => n.Dropped);

    /// <summary>A value kept in another form: <c>an int stored as a 0-d int64 array</c>.</summary>
    public void Changed(string path, string message) => _notes.Add((path, message, false));

    /// <summary>A value the target cannot hold: it is not written.</summary>
    public void Dropped(string path, string message) => _notes.Add((path, message, true));
}
