namespace BrainTools.Checkpoint;

/// <summary>
/// Where the library's warnings go, for every layer: the call's <see cref="MsgpackOptions.OnWarning"/>, else the
/// process-wide fallback the facade installs (<see cref="Msgpack.Warning"/>), else standard error as
/// <c>UserWarning: {message}</c>, the way Python prints them. Layers report here and never call the facade.
/// </summary>
internal static class WarningSink
{
    private static volatile Func<CheckpointWarning, bool>? s_fallback;

    /// <summary>
    /// Installs the process-wide fallback: it returns true when it delivered the warning (someone listens), false to
    /// let it go to standard error. Set once by the facade's module initializer.
    /// </summary>
    public static void SetFallback(Func<CheckpointWarning, bool> fallback) => s_fallback = fallback;

    /// <summary>Delivers <paramref name="warning"/>; may run on a background thread (async saves).</summary>
    public static void Deliver(CheckpointWarning warning, MsgpackOptions? options)
    {
        ArgumentNullException.ThrowIfNull(warning);
        if (options?.OnWarning is { } handler)
        {
            handler(warning);
            return;
        }

        if (s_fallback?.Invoke(warning) == true)
        {
            return;
        }

        Console.Error.WriteLine($"UserWarning: {warning.Message}");
    }
}
