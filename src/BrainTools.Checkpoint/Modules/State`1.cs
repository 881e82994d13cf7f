namespace BrainTools.Checkpoint;

/// <summary>A <see cref="State"/> holding a <typeparamref name="T"/>: an array (<c>float[,]</c>, <see cref="NdArray"/>, <c>Tensor&lt;float&gt;</c>), a number or any savable value.</summary>
/// <typeparam name="T">The type of the value.</typeparam>
/// <param name="value">The initial value.</param>
public class State<T>(T value) : State
{
    /// <summary>The value.</summary>
    public T Value { get; set; } = value;

    /// <inheritdoc />
    public override object? BoxedValue
    {
        get => Value;
        set => Value = (T)value!;
    }

    /// <inheritdoc />
    public override Type ValueType => typeof(T);

    /// <summary>brainstate's form: <c>ParamState(value=...)</c>.</summary>
    public override string ToString()
    {
        string name = GetType().Name;
        return $"{name[..name.IndexOf('`', StringComparison.Ordinal)]}(value={Value})";
    }
}
