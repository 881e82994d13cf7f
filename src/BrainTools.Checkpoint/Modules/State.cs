namespace BrainTools.Checkpoint;

/// <summary>
/// A mutable slot of model state, as brainstate's <c>State</c>: saved as its value, and restored in place (the
/// template's State object gets the loaded value and is returned), so a model that holds it sees the new value.
/// </summary>
/// <remarks>Use <see cref="State{T}"/>, <see cref="ParamState{T}"/> or <see cref="ShortTermState{T}"/>. Not thread-safe.</remarks>
public abstract class State
{
    private protected State()
    {
    }

    /// <summary>The value, boxed; setting it requires a value of <see cref="ValueType"/>.</summary>
    /// <exception cref="InvalidCastException">Setting a value of another type.</exception>
    public abstract object? BoxedValue { get; set; }

    /// <summary>The declared type of the value; a restore converts what it loads to it.</summary>
    public abstract Type ValueType { get; }
}
