namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>Loads and saves a tree in any of the <see cref="CheckpointFormat"/>s.</summary>
internal static class CheckpointFiles
{
    /// <summary>Loads a tree; <paramref name="report"/> receives what a safetensors or npz file held that a tree cannot.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidCheckpointException">A msgpack file that is not a valid checkpoint.</exception>
    /// <exception cref="CheckpointFormatException">A safetensors or npz file that does not follow its format.</exception>
    public static StateNode Load(string path, CheckpointFormat format, ConversionReport report, Action<long>? progress = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(Directory.Exists(path) ? $"{path} is a directory, not a file" : $"file not found: {path}", path);
        }

        return format switch
        {
            CheckpointFormat.Safetensors => SafetensorsFile.Read(path),
            CheckpointFormat.Npz => NpzFile.Read(path, report),
            _ => LoadMsgpack(path, progress),
        };
    }

    /// <summary>Saves a tree unless the format cannot hold some of it (see <see cref="ConversionReport.HasDropped"/>) and <paramref name="allowDropped"/> is false.</summary>
    /// <returns>Whether the file was written.</returns>
    public static bool Save(string path, CheckpointFormat format, StateNode tree, ConversionReport report, bool allowDropped)
    {
        switch (format)
        {
            case CheckpointFormat.Safetensors:
                SafetensorsFile.Write(path, tree, report);
                if (report.HasDropped && allowDropped)
                {
                    // Write again without the values that cannot be held; the report already lists them.
                    SafetensorsFile.Write(path, Without(tree, report), new ConversionReport());
                }

                break;
            case CheckpointFormat.Npz:
                NpzFile.Write(path, tree, report);
                if (report.HasDropped && allowDropped)
                {
                    NpzFile.Write(path, Without(tree, report), new ConversionReport());
                }

                break;
            default:
                Msgpack.Save(path, tree);
                break;
        }

        return !report.HasDropped || allowDropped;
    }

    private static StateNode LoadMsgpack(string path, Action<long>? progress)
    {
        if (progress is not null)
        {
            // The library reads a file in one go, without progress. Reading it once first shows the part that takes
            // time on a big file (the disk) and leaves it in the page cache, from which the load then reads fast.
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            byte[] buffer = new byte[4 << 20];
            int read;
            while ((read = file.Read(buffer)) > 0)
            {
                progress(read);
            }
        }

        return Msgpack.Load(path);
    }

    // A copy of the tree without the leaves the report drops (paths as FlatTree reports them).
    private static StateNode Without(StateNode tree, ConversionReport report)
    {
        var dropped = report.Notes.Where(n => n.Dropped).Select(n => n.Path).ToHashSet(StringComparer.Ordinal);
        return Prune(tree, string.Empty, dropped) ?? new StateMap();
    }

    private static StateNode? Prune(StateNode node, string path, HashSet<string> dropped)
    {
        if (dropped.Contains(path.Length == 0 ? "." : path))
        {
            return null;
        }

        if (node is not StateMap map || map.Count == 0)
        {
            return node;
        }

        var copy = new StateMap(map.Count);
        foreach (KeyValuePair<string, StateNode> item in map)
        {
            StateNode? child = Prune(item.Value, path.Length == 0 ? item.Key : path + "/" + item.Key, dropped);
            if (child is not null)
            {
                copy.Add(item.Key, child);
            }
        }

        return copy;
    }
}
