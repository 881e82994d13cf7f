namespace BrainTools.Checkpoint;

/// <summary>State that lives for one run (brainstate's <c>ShortTermState</c>): membrane potentials, spikes.</summary>
/// <typeparam name="T">The type of the value.</typeparam>
/// <param name="value">The initial value.</param>
public class ShortTermState<T>(T value) : State<T>(value);
