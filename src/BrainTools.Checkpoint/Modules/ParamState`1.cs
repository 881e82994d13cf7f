namespace BrainTools.Checkpoint;

/// <summary>A trainable parameter (brainstate's <c>ParamState</c>): weights, biases.</summary>
/// <typeparam name="T">The type of the value.</typeparam>
/// <param name="value">The initial value.</param>
public class ParamState<T>(T value) : State<T>(value);
