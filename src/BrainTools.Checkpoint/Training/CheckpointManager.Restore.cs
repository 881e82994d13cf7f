using BrainTools.Checkpoint.IO;
using BrainTools.Checkpoint.Lazy;
using BrainTools.Checkpoint.Serialization;

namespace BrainTools.Checkpoint;

public sealed partial class CheckpointManager
{
    /// <summary>The warning given when restore skips a damaged checkpoint; <c>{0}</c> is its file, <c>{1}</c> why.</summary>
    internal const string DamagedCheckpointWarning = "Checkpoint {0} is damaged ({1}); falling back to the previous checkpoint.";

    /// <summary>
    /// Restores the raw state dict of the checkpoint of <paramref name="step"/>, or, when null, of the latest intact
    /// checkpoint: a latest checkpoint whose checksum or content is bad is skipped with a warning for the one before it.
    /// Waits for a pending background save first (and rethrows it if it failed).
    /// </summary>
    /// <param name="step">The step, or null for the latest intact one.</param>
    /// <returns>The tree (see <see cref="Msgpack.Load(string, MsgpackOptions?)"/>).</returns>
    /// <exception cref="FileNotFoundException">There is no checkpoint (of that step).</exception>
    /// <exception cref="InvalidCheckpointException">The checkpoint of <paramref name="step"/> is damaged, or none is intact.</exception>
    public StateNode Restore(long? step = null) => Restore(step, out _);

    /// <summary>As <see cref="Restore(long?)"/>, also telling which checkpoint was restored.</summary>
    /// <param name="step">The step, or null for the latest intact one.</param>
    /// <param name="restored">The checkpoint the tree came from.</param>
    /// <returns>The tree.</returns>
    /// <exception cref="FileNotFoundException">There is no checkpoint (of that step).</exception>
    /// <exception cref="InvalidCheckpointException">The checkpoint of <paramref name="step"/> is damaged, or none is intact.</exception>
    public StateNode Restore(long? step, out CheckpointInfo restored) =>
        RestoreFrom(step, info => Read(info, source => CheckpointFile.Read(source, _msgpack, ChecksumToVerify(info))), out restored, verifiesItself: true);

    /// <summary>
    /// Restores the checkpoint of <paramref name="step"/> (or the latest intact one) into the template's own arrays,
    /// as <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/> does (PyTorch's <c>load_state_dict</c>): the arrays of the model receive
    /// the saved values in place, with no second copy of the model in memory. The checksum is verified first; a damaged
    /// latest checkpoint is skipped with a warning for the one before it, as by <see cref="Restore(long?)"/>.
    /// </summary>
    /// <typeparam name="T">The template's type.</typeparam>
    /// <param name="template">The model (or dictionary, tree, <see cref="Module.States"/>) whose arrays receive the values.</param>
    /// <param name="step">The step, or null for the latest intact one.</param>
    /// <param name="mismatch">What to do where the checkpoint does not fit the template.</param>
    /// <returns>The restored structure (see <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>).</returns>
    /// <exception cref="FileNotFoundException">There is no checkpoint (of that step).</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint does not fit the template and <paramref name="mismatch"/> is <see cref="Mismatch.Error"/>.</exception>
    /// <exception cref="InvalidCheckpointException">The checkpoint of <paramref name="step"/> is damaged, or none is intact.</exception>
    public T RestoreInto<T>(T template, long? step = null, Mismatch mismatch = Mismatch.Error)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(template);
        return RestoreFrom(step, info => Read(info, source => InPlaceLoad.Run(source, template, mismatch, _msgpack)), out _);
    }

    // Loads the checkpoint of the step, or the latest that loads: a damaged one (bad checksum or content) is skipped
    // with a warning. The checksum is verified before `load` runs.
    private TResult RestoreFrom<TResult>(long? step, Func<CheckpointInfo, TResult> load, out CheckpointInfo restored, bool verifiesItself = false)
    {
        Wait();
        List<CheckpointInfo> candidates;
        lock (_state)
        {
            candidates = step is long wanted ? [.. _checkpoints.Where(c => c.Step == wanted)] : [.. _checkpoints.AsEnumerable().Reverse()];
        }

        if (candidates.Count == 0)
        {
            string what = step is long s ? $"no checkpoint of step {s}" : "no checkpoints";
            throw new FileNotFoundException($"Checkpoint not found: {what} in {Directory}", step is null ? Directory : PathFor(step.Value));
        }

        if (step is not null)
        {
            restored = candidates[0];
            if (!verifiesItself)
            {
                Verify(restored);
            }

            return load(restored);
        }

        Exception? lastError = null;
        foreach (CheckpointInfo candidate in candidates)
        {
            try
            {
                if (!verifiesItself)
                {
                    Verify(candidate);
                }

                TResult result = load(candidate);
                restored = candidate;
                return result;
            }
            catch (Exception e) when (e is InvalidCheckpointException or IOException)
            {
                lastError = e;
                string reason = e is InvalidCheckpointException invalid ? invalid.Reason : e.Message;
                WarningSink.Deliver(new CheckpointWarning(string.Format(System.Globalization.CultureInfo.InvariantCulture, DamagedCheckpointWarning, candidate.Path, reason), FilePath: candidate.Path), _msgpack);
            }
        }

        throw new InvalidCheckpointException($"none of the {candidates.Count} checkpoints is intact", Directory, null, lastError);
    }

    /// <summary>
    /// Restores the checkpoint of <paramref name="step"/> (or the latest intact one) into <paramref name="template"/>,
    /// as <see cref="Msgpack.FromStateDict{T}(T, StateNode, Mismatch, MsgpackOptions?)"/> does: the result has the
    /// template's shape and types, <see cref="State"/>s are restored in place, mismatches follow <paramref name="mismatch"/>.
    /// </summary>
    /// <typeparam name="T">The template's type.</typeparam>
    /// <param name="template">The object to restore into.</param>
    /// <param name="step">The step, or null for the latest intact one.</param>
    /// <param name="mismatch">What to do where the checkpoint does not fit the template.</param>
    /// <returns>A structure shaped like <paramref name="template"/>.</returns>
    /// <exception cref="CheckpointMismatchException">The checkpoint does not fit the template and <paramref name="mismatch"/> is <see cref="Mismatch.Error"/>.</exception>
    /// <exception cref="InvalidCheckpointException">No checkpoint of the directory is intact.</exception>
    public T Restore<T>(T template, long? step = null, Mismatch mismatch = Mismatch.Error)
        where T : class // so that Restore(5) picks the step overload
    {
        ArgumentNullException.ThrowIfNull(template);
        StateNode state = Restore(step, out _);
        return StateDictConverters.Restore(template, state, mismatch, _msgpack, null);
    }

    private TResult Read<TResult>(CheckpointInfo info, Func<ICheckpointSource, TResult> read)
    {
        using ICheckpointSource source = _store.OpenRead(info.File);
        return read(source);
    }

    // A full load hashes what it read in memory: no second read of the checkpoint.
    private string? ChecksumToVerify(CheckpointInfo info) => Options.VerifyChecksum && info.Checksum.Length > 0 ? info.Checksum : null;

    // A load into the template reads only some arrays: the checksum needs a read of its own, first.
    private void Verify(CheckpointInfo info)
    {
        if (ChecksumToVerify(info) is not null)
        {
            string actual;
            using (ICheckpointSource source = _store.OpenRead(info.File))
            {
                actual = FileChecksum.Compute(source);
            }

            if (!string.Equals(actual, info.Checksum, StringComparison.Ordinal))
            {
                throw new InvalidCheckpointException(FileChecksum.Mismatch(actual, info.Checksum), info.Path);
            }
        }
    }
}
