using System.Globalization;
using System.Text.RegularExpressions;

using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// Rebuilds the list of a checkpoint store's committed checkpoints from its manifest and its objects: the manifest's
/// entries whose object is there with the recorded size and step, then the step objects it does not list (committed
/// just before a crash stopped the manifest's commit, or listed by a damaged entry), checksummed as they are found.
/// A write that was never committed (a temporary file, uncommitted blocks) is not an object, so it is never seen.
/// </summary>
internal static class CheckpointRecovery
{
    /// <summary>The committed checkpoints of <paramref name="store"/>, oldest step first.</summary>
    /// <param name="store">The checkpoints' store.</param>
    /// <param name="fileName">Matches a checkpoint's name, its step in group 1.</param>
    /// <param name="options">Where warnings about a damaged manifest go.</param>
    /// <param name="manifestVersion">The version of the manifest read (the condition of the next manifest commit), or null when there is none.</param>
    /// <param name="versions">Receives the version of each recovered step's object (the condition of its next replacement).</param>
    public static List<CheckpointInfo> Recover(ICheckpointStore store, Regex fileName, MsgpackOptions options, out string? manifestVersion, Dictionary<long, string> versions)
    {
        var objects = new Dictionary<string, StoredCheckpoint>(StringComparer.Ordinal);
        foreach (StoredCheckpoint stored in store.List())
        {
            objects[stored.Name] = stored;
        }

        var byStep = new SortedDictionary<long, CheckpointInfo>();
        foreach (CheckpointInfo info in CheckpointManifest.Read(store, options, out manifestVersion))
        {
            if (StepOf(fileName, info.File) is not long fileStep)
            {
                continue; // Not one of this manager's files (another prefix).
            }

            if (fileStep != info.Step)
            {
                // The entry would make another step's file stand for this one (and Latest stick to it).
                string manifest = store.Locate(CheckpointManifest.FileName);
                WarningSink.Deliver(
                    new CheckpointWarning($"Entry {info.File} of the checkpoint manifest {manifest} is damaged (its step {info.Step} is not the step {fileStep} of its file name); it is left out and its file is recovered from the directory.", FilePath: manifest),
                    options);
                continue;
            }

            if (objects.TryGetValue(info.File, out StoredCheckpoint? found) && found.Length == info.Size)
            {
                byStep[info.Step] = info;
                versions[info.Step] = found.Version;
            }
        }

        // Steps committed after the manifest was last written (the process died in between), or replaced since.
        foreach (StoredCheckpoint stored in objects.Values)
        {
            if (StepOf(fileName, stored.Name) is not long step || byStep.ContainsKey(step))
            {
                continue;
            }

            try
            {
                string checksum;
                using (ICheckpointSource source = store.OpenRead(stored.Name))
                {
                    checksum = FileChecksum.Compute(source);
                }

                byStep[step] = new CheckpointInfo(
                    stored.Name, store.Locate(stored.Name), step, stored.LastModified, null, stored.Length, checksum, string.Empty, new Dictionary<string, object>());
                versions[step] = stored.Version;
            }
            catch (Exception e) when (e is IOException or CheckpointException)
            {
                // Deleted or unreadable as we looked (a store's own typed error included): not a checkpoint we can offer.
            }
        }

        return [.. byStep.Values];
    }

    private static long? StepOf(Regex fileName, string file)
    {
        Match match = fileName.Match(file);
        return match.Success && long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : null;
    }
}
