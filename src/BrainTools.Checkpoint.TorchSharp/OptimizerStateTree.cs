using System.Globalization;
using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// An optimizer's <c>state_dict()</c> as a tree shaped like PyTorch's:
/// <c>{'state': {'0': {'step': 3, 'exp_avg': ..., 'exp_avg_sq': ...}, ...}, 'param_groups': {'0': {'lr': 0.001, 'initial_lr': 0.001, 'beta1': 0.9, ..., 'params': [0, 1, ...]}}}</c>.
/// </summary>
/// <remarks>
/// The per-parameter entries are the public fields of TorchSharp's state class of that optimizer (Adam's
/// <c>step</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>; SGD's <c>momentum_buffer</c>), and the
/// group entries the public fields of its options (<c>LearningRate</c> and <c>InitialLearningRate</c> under
/// PyTorch's names <c>lr</c> and <c>initial_lr</c>), so every TorchSharp optimizer is covered the same way.
/// Tensors that are not there (SGD's momentum before the first step, Adam's <c>max_exp_avg_sq</c> without
/// amsgrad) are left out, and unset options too.
/// </remarks>
internal static class OptimizerStateTree
{
    private const string StateKey = "state";
    private const string GroupsKey = "param_groups";
    private const string ParamsKey = "params";

    /// <summary>The tree to save; tensors are leaves (the tensor converter views them).</summary>
    public static Dictionary<string, object?> ToTree(OptimizerHelper optimizer)
    {
        OptimizerHelper.StateDictionary dictionary = optimizer.state_dict();
        var states = new Dictionary<string, object?>();
        for (int i = 0; i < dictionary.State.Count; i++)
        {
            var entry = new Dictionary<string, object?>();
            foreach (FieldInfo field in StateFields(dictionary.State[i]))
            {
                // A tensor not made yet is saved as None, so that a load into a fresh optimizer (which has none
                // either) reads the tensor a later save holds there.
                entry[field.Name] = field.GetValue(dictionary.State[i]);
            }

            states[Key(i)] = entry;
        }

        var groups = new Dictionary<string, object?>();
        for (int g = 0; g < dictionary.Options.Count; g++)
        {
            var group = new Dictionary<string, object?>();
            foreach (OptionMember member in OptionMembers(dictionary.Options[g]))
            {
                group[member.Name] = member.Get();
            }

            group[ParamsKey] = dictionary.StateIndexRef[g].Select(index => (long)index).ToArray();
            groups[Key(g)] = group;
        }

        return new Dictionary<string, object?> { [StateKey] = states, [GroupsKey] = groups };
    }

    /// <summary>
    /// Restores <paramref name="state"/> into the optimizer: its tensors in place through the tensor converter,
    /// tensors it does not have yet as new tensors on their parameter's device, and the scalar fields.
    /// </summary>
    public static void Restore(OptimizerHelper optimizer, StateNode state, CheckpointRestoreContext context)
    {
        OptimizerHelper.StateDictionary dictionary = optimizer.state_dict();
        List<Parameter> parameters = [.. optimizer.parameters()];

        // The template is the tree a save would write: a null (a tensor not made yet, an unset option) accepts
        // whatever the file holds there.
        Dictionary<string, object?> template = ToTree(optimizer);
        var restored = context.Restore(template, state);

        var restoredStates = (Dictionary<string, object?>)restored[StateKey]!;
        for (int i = 0; i < dictionary.State.Count; i++)
        {
            OptimizerState target = dictionary.State[i];
            var entry = (Dictionary<string, object?>)restoredStates[Key(i)]!;
            foreach (FieldInfo field in StateFields(target))
            {
                if (!entry.TryGetValue(field.Name, out object? value) || value is null)
                {
                    continue;
                }

                if (field.FieldType == typeof(Tensor))
                {
                    if (field.GetValue(target) is null && Unwrap(value) is NdArray array)
                    {
                        // A tensor the fresh optimizer has not made yet: a new one, beside the parameter it belongs to
                        // (the state list follows the parameters of the groups in order, as parameters() does).
                        Tensor device = parameters[i];
                        using Tensor host = TensorArrays.ToTensor(array);
                        field.SetValue(target, host.to(device.device, copy: true).DetachFromDisposeScope());
                    }
                }
                else
                {
                    field.SetValue(target, ConvertScalar(value, field.FieldType));
                }
            }
        }

        var restoredGroups = (Dictionary<string, object?>)restored[GroupsKey]!;
        for (int g = 0; g < dictionary.Options.Count; g++)
        {
            var group = (Dictionary<string, object?>)restoredGroups[Key(g)]!;
            foreach (OptionMember member in OptionMembers(dictionary.Options[g]))
            {
                if (group.TryGetValue(member.Name, out object? value) && Unwrap(value) is { } scalar)
                {
                    member.Set(ConvertScalar(scalar, member.Type));
                }
            }
        }
    }

    private static string Key(int index) => index.ToString(CultureInfo.InvariantCulture);

    private static object? Unwrap(object? value) => value is StateValue leaf ? leaf.Value : value;

    private static object? ConvertScalar(object value, Type type)
    {
        object? raw = Unwrap(value);
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        return raw is null || raw.GetType() == target ? raw : Convert.ChangeType(raw, target, CultureInfo.InvariantCulture);
    }

    // The state class's own data: public instance fields of tensors and scalars (TorchSharp keeps the parameter in a protected field).
    private static IEnumerable<FieldInfo> StateFields(OptimizerState state) =>
        state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(field => field.FieldType == typeof(Tensor) || IsScalar(field.FieldType));

    private static bool IsScalar(Type type)
    {
        Type underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(long) || underlying == typeof(int) || underlying == typeof(double) || underlying == typeof(float) || underlying == typeof(bool);
    }

    private static IEnumerable<OptionMember> OptionMembers(OptimizerOptions options)
    {
        yield return new OptionMember("lr", typeof(double?), () => options.LearningRate, value => options.LearningRate = (double?)value);
        yield return new OptionMember("initial_lr", typeof(double), () => options.InitialLearningRate, value => options.InitialLearningRate = (double)value!);
        foreach (FieldInfo field in options.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance).Where(field => IsScalar(field.FieldType)))
        {
            yield return new OptionMember(field.Name, field.FieldType, () => field.GetValue(options), value => field.SetValue(options, value));
        }
    }

    private sealed record OptionMember(string Name, Type Type, Func<object?> Get, Action<object?> Set);
}
