namespace BrainTools.Checkpoint;

/// <summary>
/// Thrown when a tree holds values a file format cannot hold (a complex128 array for safetensors, <c>None</c> for npz),
/// or a file holds members the library cannot read into a tree, and <see cref="TensorFileOptions.AllowLossy"/> is
/// false. Nothing was written. <see cref="Report"/> lists every such value, and the ones kept in another form.
/// </summary>
public sealed class LossyConversionException : CheckpointException
{
    /// <summary>Creates the exception for a file and the report of the values it cannot hold.</summary>
    /// <param name="filePath">The file that was to be written or read.</param>
    /// <param name="format">The format's name, <c>safetensors</c> or <c>npz</c>.</param>
    /// <param name="report">Every value that cannot be held (and those kept in another form).</param>
    public LossyConversionException(string filePath, string format, ConversionReport report)
        : base(Compose(filePath, format, report), filePath, First(report)?.Path)
    {
        Report = report;
    }

    /// <summary>What cannot be held (<see cref="ConversionNote.Dropped"/>) and what would be kept in another form.</summary>
    public ConversionReport Report { get; }

    private static ConversionNote? First(ConversionReport report) => report.Notes.FirstOrDefault(n => n.Dropped);

    private static string Compose(string filePath, string format, ConversionReport report)
    {
        int count = report.Notes.Count(n => n.Dropped);
        ConversionNote? first = First(report);
        string example = first is null ? string.Empty : $" (first: {first.Message} at path {first.Path})";
        return $"{filePath}: {count} {(count == 1 ? "value" : "values")} cannot be represented in {format}{example}; nothing was done. TensorFileOptions.AllowLossy leaves them out.";
    }
}
