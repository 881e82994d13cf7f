namespace BrainTools.Checkpoint.Cli.Output;

/// <summary>
/// Hands the library's byte counts (<see cref="IProgress{T}"/>, reported from several threads by parallel reads) to a
/// progress bar, synchronously and one at a time. <see cref="Progress{T}"/> would post them to a thread pool instead.
/// </summary>
internal sealed class ProgressReporter(Action<long> advance) : IProgress<long>
{
    private readonly Lock _gate = new();

    /// <summary>A reporter for <paramref name="advance"/>, or null when there is no bar.</summary>
    public static IProgress<long>? For(Action<long>? advance) => advance is null ? null : new ProgressReporter(advance);

    public void Report(long value)
    {
        lock (_gate)
        {
            advance(value);
        }
    }
}
