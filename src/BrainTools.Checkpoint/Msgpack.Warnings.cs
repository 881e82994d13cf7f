namespace BrainTools.Checkpoint;

public static partial class Msgpack
{
    /// <summary>
    /// Raised for every warning of every call that has no <see cref="MsgpackOptions.OnWarning"/> handler of its own.
    /// With no subscriber either, warnings are written to standard error as <c>UserWarning: {message}</c>, as
    /// Python prints them. Handlers may run on a background thread (async saves).
    /// </summary>
    public static event EventHandler<CheckpointWarning>? Warning;

    /// <summary>Delivers a warning to the call's handler, else to <see cref="Warning"/>, else to standard error.</summary>
    internal static void Warn(CheckpointWarning warning, MsgpackOptions? options) => WarningSink.Deliver(warning, options);

    private static bool RaiseWarning(CheckpointWarning warning)
    {
        EventHandler<CheckpointWarning>? subscribers = Warning;
        if (subscribers is null)
        {
            return false;
        }

        subscribers(null, warning);
        return true;
    }
}
