namespace BrainTools.Checkpoint.Testing;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action on the reporting thread at once: unlike
/// <see cref="Progress{T}"/>, which posts each report to a synchronization context or the thread pool, so a test
/// could read its sum before the reports arrived.
/// </summary>
internal sealed class ReportingProgress(Action<long> report) : IProgress<long>
{
    public void Report(long value) => report(value);
}
