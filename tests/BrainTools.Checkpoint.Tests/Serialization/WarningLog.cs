namespace BrainTools.Checkpoint.Tests.Serialization;

/// <summary>Collects the warnings of calls made with <see cref="Options"/>.</summary>
internal sealed class WarningLog
{
    private readonly List<CheckpointWarning> _warnings = [];

    public WarningLog()
    {
        Options = MsgpackOptions.Default with { OnWarning = w => { lock (_warnings) { _warnings.Add(w); } } };
    }

    public MsgpackOptions Options { get; }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_warnings)
            {
                return _warnings.Select(w => w.Message).ToArray();
            }
        }
    }
}
