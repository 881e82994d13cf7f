namespace BrainTools.Checkpoint.Fuzz;

/// <summary>
/// One entry point under fuzzing. <see cref="Run"/> feeds it one input and returns when the input was accepted or
/// refused the way the library promises (its typed errors); anything else escapes and AFL records a crash.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The name on the command line and of the corpus folders (<c>fuzz/corpus/{Name}</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Runs one input through the entry point.</summary>
    /// <exception cref="Exception">Anything but the target's documented errors: a finding.</exception>
    public abstract void Run(byte[] input);
}
