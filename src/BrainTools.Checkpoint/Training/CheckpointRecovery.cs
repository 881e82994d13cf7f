using System.Globalization;
using System.Text.RegularExpressions;

using BrainTools.Checkpoint.IO;

namespace BrainTools.Checkpoint.Training;

/// <summary>
/// Rebuilds the list of a checkpoint directory's committed checkpoints from its manifest and its files: the
/// manifest's entries whose file is there with the recorded size and step, then the step files it does not list
/// (committed after the manifest was last written, or listed by a damaged entry), checksummed as they are found.
/// </summary>
internal static class CheckpointRecovery
{
    /// <summary>The committed checkpoints of <paramref name="directory"/>, oldest step first.</summary>
    /// <param name="directory">The full path of the directory.</param>
    /// <param name="fileName">Matches a checkpoint file name, its step in group 1.</param>
    /// <param name="searchPattern">The file-system pattern of checkpoint file names (<c>checkpoint_*.msgpack</c>).</param>
    /// <param name="options">Where warnings about a damaged manifest go.</param>
    public static List<CheckpointInfo> Recover(string directory, Regex fileName, string searchPattern, MsgpackOptions options)
    {
        var byStep = new SortedDictionary<long, CheckpointInfo>();
        foreach (CheckpointInfo info in CheckpointManifest.Read(directory, options))
        {
            if (StepOf(fileName, info.File) is not long fileStep)
            {
                continue; // Not one of this manager's files (another prefix).
            }

            if (fileStep != info.Step)
            {
                // The entry would make another step's file stand for this one (and Latest stick to it).
                string manifest = Path.Combine(directory, CheckpointManifest.FileName);
                WarningSink.Deliver(
                    new CheckpointWarning($"Entry {info.File} of the checkpoint manifest {manifest} is damaged (its step {info.Step} is not the step {fileStep} of its file name); it is left out and its file is recovered from the directory.", FilePath: manifest),
                    options);
                continue;
            }

            if (File.Exists(info.Path) && new FileInfo(info.Path).Length == info.Size)
            {
                byStep[info.Step] = info;
            }
        }

        // Files committed after the manifest was last written (the process died in between), or replaced since.
        foreach (string path in Directory.GetFiles(directory, searchPattern))
        {
            string file = Path.GetFileName(path);
            if (StepOf(fileName, file) is not long step || byStep.ContainsKey(step))
            {
                continue;
            }

            try
            {
                var fileInfo = new FileInfo(path);
                byStep[step] = new CheckpointInfo(
                    file,
                    path,
                    step,
                    new DateTimeOffset(fileInfo.LastWriteTimeUtc, TimeSpan.Zero),
                    null,
                    fileInfo.Length,
                    FileChecksum.Compute(path),
                    string.Empty,
                    new Dictionary<string, object>());
            }
            catch (IOException)
            {
                // Deleted or unreadable as we looked: not a checkpoint we can offer.
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
