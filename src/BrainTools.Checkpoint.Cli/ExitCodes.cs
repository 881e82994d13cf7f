namespace BrainTools.Checkpoint.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Everything is valid / equal / fits.</summary>
    public const int Ok = 0;

    /// <summary>A file is invalid, missing or unreadable, or the files differ / do not fit.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;
}
