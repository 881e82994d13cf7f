using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// Places weights trained in JAX (flax, braintools, brainstate checkpoints) into a TorchSharp module, by explicit
/// rules: each rule renames a checkpoint path (<c>params/Dense_0/kernel</c>) to a state_dict name
/// (<c>fc1.weight</c>) and says how the axes differ (<see cref="WeightLayout"/>: flax's <c>Dense</c> kernel is
/// (in, out) where torch's <c>Linear.weight</c> is (out, in); conv kernels are HWIO against OIHW).
/// </summary>
/// <remarks>
/// Rules are tried in the order they were added; the first whose pattern matches a path wins. Every array of the
/// checkpoint that no rule places (no rule matches, the module has no such tensor, the shapes differ after the
/// layout) and every tensor of the module that nothing fills is reported; under <see cref="Mismatch.Error"/>
/// that is an exception thrown before any tensor changes. Values are converted to each tensor's dtype.
/// </remarks>
/// <example>
/// <code>
/// var mapping = new JaxWeightMapping()
///     .Layer("params/Dense_0", "fc1")     // kernel -> weight (transposed), bias -> bias
///     .Layer("params/Dense_1", "fc2");
/// WeightMappingReport report = mapping.LoadInto("flax_mlp.msgpack", model);
/// </code>
/// </example>
public sealed class JaxWeightMapping
{
    private readonly List<Rule> _rules = [];

    /// <summary>
    /// Adds a rename rule: a checkpoint path (slash-separated, no leading <c>./</c>) that matches
    /// <paramref name="pattern"/> (a .NET regular expression, anchored by you) becomes the state_dict name
    /// <paramref name="replacement"/>, where <c>$1</c>, <c>${name}</c> refer to the pattern's groups.
    /// </summary>
    /// <example><c>.Rename(@"^params/Dense_(\d+)/kernel$", "layers.$1.weight", WeightLayout.Transpose)</c></example>
    /// <returns>This mapping, for chaining.</returns>
    public JaxWeightMapping Rename(string pattern, string replacement, WeightLayout? layout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentException.ThrowIfNullOrEmpty(replacement);
        _rules.Add(new Rule(new Regex(pattern, RegexOptions.CultureInvariant), replacement, layout ?? WeightLayout.AsIs));
        return this;
    }

    /// <summary>
    /// Adds the rules for one flax layer: under <paramref name="sourcePrefix"/> (<c>params/Dense_0</c>),
    /// <c>kernel</c> becomes <c>{torchPrefix}.weight</c> laid out by <see cref="WeightLayout.FlaxKernel"/> (Dense,
    /// Conv), <c>bias</c> <c>.bias</c>, <c>scale</c> <c>.weight</c> (LayerNorm, BatchNorm), <c>embedding</c>
    /// <c>.weight</c> (Embed), and BatchNorm's <c>mean</c> and <c>var</c> (in <c>batch_stats</c>) <c>.running_mean</c>
    /// and <c>.running_var</c>.
    /// </summary>
    /// <returns>This mapping, for chaining.</returns>
    public JaxWeightMapping Layer(string sourcePrefix, string torchPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePrefix);
        ArgumentException.ThrowIfNullOrEmpty(torchPrefix);
        string from = "^" + Regex.Escape(sourcePrefix.TrimEnd('/')) + "/";
        string to = torchPrefix.Replace("$", "$$", StringComparison.Ordinal) + ".";
        Rename(from + "kernel$", to + "weight", WeightLayout.FlaxKernel);
        Rename(from + "bias$", to + "bias");
        Rename(from + "scale$", to + "weight");
        Rename(from + "embedding$", to + "weight");
        Rename(from + "mean$", to + "running_mean");
        Rename(from + "var$", to + "running_var");
        return this;
    }

    /// <summary>Reads the checkpoint (indexed, arrays read from the file as they are placed) and places its arrays into <paramref name="module"/>.</summary>
    /// <param name="path">A msgpack checkpoint written by flax or braintools.</param>
    /// <param name="module">The module whose state_dict tensors receive the weights.</param>
    /// <param name="mismatch"><see cref="Mismatch.Error"/>: throw, before any tensor changes, when anything is not placed or not filled. Otherwise place what fits (warning under <see cref="Mismatch.Warn"/>).</param>
    /// <param name="options">Limits of the read.</param>
    /// <returns>What was placed, what was not and why, and which tensors nothing filled.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidCheckpointException">The file is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the weights do not fit the module.</exception>
    public WeightMappingReport LoadInto(string path, nn.Module module, Mismatch mismatch = Mismatch.Error, MsgpackOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using CheckpointReader reader = Msgpack.Open(path, options);
        return Apply(reader.ReadTree(), module, mismatch, path);
    }

    /// <summary>Places the arrays of a loaded tree (<see cref="Msgpack.Load(string, MsgpackOptions?)"/>) into <paramref name="module"/>; see <see cref="LoadInto"/>.</summary>
    /// <exception cref="CheckpointMismatchException">Under <see cref="Mismatch.Error"/>, the weights do not fit the module.</exception>
    public WeightMappingReport Apply(StateNode tree, nn.Module module, Mismatch mismatch = Mismatch.Error) => Apply(tree, module, mismatch, filePath: null);

    private WeightMappingReport Apply(StateNode tree, nn.Module module, Mismatch mismatch, string? filePath)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(module);
        Dictionary<string, Tensor> tensors = module.state_dict();
        var placed = new List<(PlacedWeight Weight, NdArray Array, int[] Axes)>();
        var unplaced = new List<UnplacedWeight>();
        var filled = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach ((string source, object? leaf) in StateDictTree.Flatten(tree, '/'))
        {
            if (leaf is not NdArray array)
            {
                continue;
            }

            Match? match = null;
            Rule? rule = _rules.FirstOrDefault(candidate => (match = candidate.Pattern.Match(source)).Success);
            if (rule is null)
            {
                unplaced.Add(new UnplacedWeight(source, null, "no rule matches"));
                continue;
            }

            string name = match!.Result(rule.Replacement);
            if (!tensors.TryGetValue(name, out Tensor? tensor))
            {
                unplaced.Add(new UnplacedWeight(source, name, "the module has no such tensor"));
            }
            else if (filled.TryGetValue(name, out string? earlier))
            {
                unplaced.Add(new UnplacedWeight(source, name, $"already filled from {earlier}"));
            }
            else if (rule.Layout.AxesFor(array.Rank) is not { } axes)
            {
                unplaced.Add(new UnplacedWeight(source, name, $"layout {rule.Layout} does not apply to an array of shape {array.Shape}"));
            }
            else if (!axes.Select(axis => array.Shape[axis]).SequenceEqual(tensor.shape))
            {
                Shape laidOut = new([.. axes.Select(axis => array.Shape[axis])]);
                unplaced.Add(new UnplacedWeight(source, name, $"shape {array.Shape} is {laidOut} after {rule.Layout}, the tensor is {new Shape(tensor.shape)}"));
            }
            else
            {
                filled[name] = source;
                placed.Add((new PlacedWeight(source, name, rule.Layout.For(array.Rank)), array, axes));
            }
        }

        var report = new WeightMappingReport(
            [.. placed.Select(entry => entry.Weight)],
            unplaced,
            [.. tensors.Keys.Where(name => !filled.ContainsKey(name))]);
        if (!report.IsComplete)
        {
            if (mismatch == Mismatch.Error)
            {
                report.ThrowIfIncomplete(filePath);
            }

            if (mismatch == Mismatch.Warn)
            {
                Msgpack.ReportMismatch($"{report.Unplaced.Count} arrays not placed, {report.Unfilled.Count} tensors not filled: "
                    + string.Join("; ", report.Unplaced.Select(weight => weight.ToString()).Concat(report.Unfilled)), Mismatch.Warn);
            }
        }

        // Every check has passed: only now do the tensors change.
        foreach ((PlacedWeight weight, NdArray array, int[] axes) in placed)
        {
            CopyLaidOut(array, axes, tensors[weight.TorchName]);
        }

        return report;
    }

    private static void CopyLaidOut(NdArray array, int[] axes, Tensor destination)
    {
        // A dtype TorchSharp lacks (uint32, float8) is converted on the .NET side first, to the tensor's own.
        NdArray source = TorchDTypes.TryToScalarType(array.DType, out _) ? array : array.AsType(TorchDTypes.ToDType(destination.dtype));
        using Tensor loaded = TensorArrays.ToTensor(source);
        using Tensor laidOut = loaded.permute([.. axes.Select(axis => (long)axis)]);
        using (no_grad())
        {
            destination.copy_(laidOut);
        }
    }

    private sealed record Rule(Regex Pattern, string Replacement, WeightLayout Layout);
}
