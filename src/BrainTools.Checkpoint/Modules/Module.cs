namespace BrainTools.Checkpoint;

/// <summary>
/// A model or layer that holds <see cref="State"/>s, as brainstate's <c>nn.Module</c>. <see cref="States()"/>
/// gathers them from the public fields and properties, sub-modules and lists or dictionaries of them; saving a
/// module saves those States, nested by member name, and restoring one restores them in place.
/// </summary>
/// <example>
/// <code>
/// class SimpleModel : Module
/// {
///     public ParamState&lt;float[,]&gt; Weight { get; } = new(new float[,] { { 1, 2 }, { 3, 4 } });
///     public ParamState&lt;float[]&gt; Bias { get; } = new([0.1f, 0.2f]);
///     public State&lt;float[]&gt; RunningMean { get; } = new(new float[2]);
/// }
/// </code>
/// </example>
public abstract class Module
{
    /// <summary>
    /// Every State reachable from this module, keyed by the path of member names that leads to it
    /// (<c>weight</c>, <c>linear/weight</c>, <c>layers/0/weight</c>): members by their snake_case (or
    /// <see cref="CheckpointNameAttribute"/>) name in declaration order, elements of lists by index, and a State
    /// reachable by two paths once, under the first.
    /// </summary>
    /// <remarks>Members marked <see cref="CheckpointIgnoreAttribute"/> are skipped. Each call gathers anew.</remarks>
    public StateCollection States() => StateCollection.Gather(this, static _ => true);

    /// <summary>The States of <see cref="States()"/> that are <typeparamref name="TState"/> (brainstate's <c>states(ParamState)</c>).</summary>
    /// <typeparam name="TState">The kind of State to keep, such as <c>ParamState&lt;float[]&gt;</c> or <see cref="State"/>.</typeparam>
    public StateCollection States<TState>()
        where TState : State => StateCollection.Gather(this, static state => state is TState);
}
