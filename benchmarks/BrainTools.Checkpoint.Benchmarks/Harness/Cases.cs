using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace BrainTools.Checkpoint.Benchmarks.Harness;

/// <summary>
/// The measurements, each run in a fresh child process (<c>harness-case NAME DIR REPS SIZE</c>) so that its peak
/// resident memory is its own. Each returns named figures: times in milliseconds, sizes in bytes.
/// </summary>
public static class Cases
{
    // The baselines write without fsync; so do the saves compared with them (Durable = true is measured beside).
    private static readonly MsgpackOptions NotDurable = MsgpackOptions.Default with { Durable = false };

    private const int LazyReads = 41;
    private const int TutorialReps = 2001;

    /// <summary>Runs one case by name.</summary>
    public static Dictionary<string, double> Run(string name, string dir, int reps, long size) => name switch
    {
        "prepare" => Prepare(dir, size, lazy: false),
        "prepare-lazy" => Prepare(dir, size, lazy: true),
        "prepare-lazy-large" => PrepareLarge(dir, size),
        "save" => Save(dir, reps, size),
        "load" => Load(dir, reps, size),
        "lazy" => Lazy(LazyFile(dir, size), "weight"),
        "lazy-large" => Lazy(LargeLazyFile(dir, size), "bias"),
        "tutorial" => Tutorial(dir),
        "mem-save" => MemorySave(dir, size),
        "mem-load" => MemoryLoad(dir, size, CheckpointLoadMode.Read),
        "mem-load-mmap" => MemoryLoad(dir, size, CheckpointLoadMode.MemoryMap),
        "mem-load-into" => MemoryLoadInto(dir, size),
        "mem-lazy" => MemoryLazy(dir, size),
        "mem-plain-write" => MemoryPlainWrite(dir, size),
        "mem-plain-read" => MemoryPlainRead(dir, size),
        _ => throw new ArgumentException($"Unknown case '{name}'.", nameof(name)),
    };

    /// <summary>The file of a model of <paramref name="size"/> bytes.</summary>
    public static string ModelFile(string dir, long size) => Path.Combine(dir, $"model-{size >> 20}m.msgpack");

    /// <summary>The file for lazy opens of <paramref name="size"/> bytes, in 4 MiB arrays.</summary>
    public static string LazyFile(string dir, long size) => Path.Combine(dir, $"lazy-{size >> 20}m.msgpack");

    /// <summary>The file for lazy opens of <paramref name="size"/> bytes, in layers of 60 MiB and 4 MiB arrays.</summary>
    public static string LargeLazyFile(string dir, long size) => Path.Combine(dir, $"lazy-large-{size >> 20}m.msgpack");

    // Writes a file the other cases read: a model of `size` bytes, or a lazy file (one 4 MiB array shared by every layer).
    private static Dictionary<string, double> Prepare(string dir, long size, bool lazy)
    {
        string file = lazy ? LazyFile(dir, size) : ModelFile(dir, size);
        Msgpack.Save(file, Models.Layers(size, shareOneArray: lazy));
        Msgpack.Save(Path.Combine(dir, "warm.msgpack"), Models.Tutorial());
        return new() { ["file_bytes"] = new FileInfo(file).Length };
    }

    private static Dictionary<string, double> PrepareLarge(string dir, long size)
    {
        Msgpack.Save(LargeLazyFile(dir, size), Models.LargeLayers(size));
        return new() { ["file_bytes"] = new FileInfo(LargeLazyFile(dir, size)).Length };
    }

    private static Dictionary<string, double> Save(string dir, int reps, long size)
    {
        StateMap model = Models.Layers(size);
        string ours = Path.Combine(dir, "save-ours.msgpack");
        string plain = Path.Combine(dir, "save-plain.bin");

        // The baseline writes the very bytes of the checkpoint, from memory, with a plain FileStream.
        Msgpack.Save(ours, model, options: NotDurable);
        using var bytes = new NativeBuffer(new FileInfo(ours).Length);
        using (SafeFileHandle handle = File.OpenHandle(ours))
        {
            bytes.ReadFrom(handle);
        }

        // Like for like: a save without fsync against a plain write (both end in the page cache), and the default
        // durable save (fsync of the file and its folder) against a plain write followed by an fsync.
        List<double> oursMs = [], plainMs = [], durableMs = [], plainSyncedMs = [];
        for (int rep = 0; rep < reps; rep++)
        {
            // Alternate which goes first so that drift (writeback, other load) hits both alike.
            for (int turn = 0; turn < 2; turn++)
            {
                File.Delete(ours);
                File.Delete(plain);
                if ((turn + rep) % 2 == 0)
                {
                    oursMs.Add(Timing.Milliseconds(() => Msgpack.Save(ours, model, options: NotDurable)));
                    File.Delete(ours);
                    durableMs.Add(Timing.Milliseconds(() => Msgpack.Save(ours, model)));
                }
                else
                {
                    // In 4 MiB writes, the pieces our writer hands over: one 1 GiB write is slower on this VM.
                    plainMs.Add(Timing.Milliseconds(() => WritePlain(plain, bytes, flushToDisk: false)));
                    File.Delete(plain);
                    plainSyncedMs.Add(Timing.Milliseconds(() => WritePlain(plain, bytes, flushToDisk: true)));
                }
            }
        }

        File.Delete(ours);
        File.Delete(plain);
        Dictionary<string, double> figures = Figures(oursMs, plainMs, bytes.Length);
        figures["durable_ms"] = Timing.Median(durableMs);
        figures["plain_synced_ms"] = Timing.Median(plainSyncedMs);
        return figures;
    }

    private static void WritePlain(string path, NativeBuffer bytes, bool flushToDisk)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        bytes.WriteTo(stream, Models.LayerBytes);
        if (flushToDisk)
        {
            stream.Flush(flushToDisk: true);
        }
    }

    private static Dictionary<string, double> Load(string dir, int reps, long size)
    {
        string file = ModelFile(dir, size);
        long length = new FileInfo(file).Length;
        using var buffer = new NativeBuffer(length);
        var mapped = MsgpackOptions.Default with { LoadMode = CheckpointLoadMode.MemoryMap };
        GC.KeepAlive(Msgpack.Load(file));

        // A model whose arrays exist (touched), as when training resumes: LoadInto reads into them.
        StateMap ready = Models.Layers(size);
        Msgpack.LoadInto(file, ready);
        ProcessMemory.Settle();

        List<double> oursMs = [], plainMs = [], freshMs = [], mmapMs = [], mmapTouchMs = [], intoMs = [], intoPlainMs = [];
        for (int rep = 0; rep < reps; rep++)
        {
            for (int turn = 0; turn < 2; turn++)
            {
                if ((turn + rep) % 2 == 0)
                {
                    StateNode? tree = null;
                    oursMs.Add(Timing.Milliseconds(() => tree = Msgpack.Load(file)));
                    GC.KeepAlive(tree);
                    tree = null;
                    ProcessMemory.Settle();
                }
                else
                {
                    plainMs.Add(Timing.Milliseconds(() =>
                    {
                        using SafeFileHandle handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                        buffer.ReadFrom(handle);
                    }));
                }
            }

            // LoadInto against the same ready-buffer read, alternating.
            for (int turn = 0; turn < 2; turn++)
            {
                if ((turn + rep) % 2 == 0)
                {
                    intoMs.Add(Timing.Milliseconds(() => Msgpack.LoadInto(file, ready)));
                }
                else
                {
                    intoPlainMs.Add(Timing.Milliseconds(() =>
                    {
                        using SafeFileHandle handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                        buffer.ReadFrom(handle);
                    }));
                }
            }

            StateNode? view = null;
            mmapMs.Add(Timing.Milliseconds(() => view = Msgpack.Load(file, options: mapped)));
            mmapTouchMs.Add(mmapMs[^1] + Timing.Milliseconds(() => SumLayers(view!)));
            view = null;
            ProcessMemory.Settle();
        }

        // What any load must do at least: a new buffer, then the read. Measured after the others: it takes seconds
        // here, during which the host reclaims the memory freed before it (see the README), which would leave the
        // next measurement fresh memory that is slower than it would have had.
        for (int rep = 0; rep < reps; rep++)
        {
            freshMs.Add(Timing.Milliseconds(() =>
            {
                using var fresh = new NativeBuffer(length, touch: false);
                using SafeFileHandle handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
                fresh.ReadFrom(handle);
            }));
        }

        Dictionary<string, double> figures = Figures(oursMs, plainMs, length);
        figures["fresh_ms"] = Timing.Median(freshMs);
        figures["mmap_ms"] = Timing.Median(mmapMs);
        figures["mmap_touch_ms"] = Timing.Median(mmapTouchMs);
        figures["into_ms"] = Timing.Median(intoMs);
        figures["into_plain_ms"] = Timing.Median(intoPlainMs);
        return figures;
    }

    // Open + one 4 MiB array (`name` of the middle layer) + a sum of its floats, against a bare read of those bytes.
    private static Dictionary<string, double> Lazy(string file, string name)
    {
        string key;
        long offset;
        int entries;
        using (CheckpointReader probe = Msgpack.Open(file))
        {
            int layers = probe["layers"].Children.Count;
            key = $"layers/{layers / 2}/{name}";
            offset = probe[key].ByteOffset;
            entries = probe.Root.Descendants().Count(e => e.Kind == StateNodeKind.NdArray);
        }

        // The baseline: the 4 MiB alone, one positional read into a ready buffer, knowing where it is. Both sides
        // then sum the floats, so that the array's bytes are really read (our array is a view of the mapped file).
        using var buffer = new NativeBuffer(Models.LayerBytes);
        List<double> oursMs = [], plainMs = [];
        float sum = 0;
        for (int rep = 0; rep < LazyReads; rep++)
        {
            oursMs.Add(Timing.Milliseconds(() =>
            {
                using CheckpointReader reader = Msgpack.Open(file);
                sum += System.Numerics.Tensors.TensorPrimitives.Sum(reader.ReadArray(key).AsReadOnlySpan<float>());
            }));
            plainMs.Add(Timing.Milliseconds(() =>
            {
                using SafeFileHandle handle = File.OpenHandle(file);
                RandomAccess.Read(handle, buffer.Span(0, Models.LayerBytes), offset);
                sum += buffer.SumFloats(Models.LayerBytes);
            }));
        }

        GC.KeepAlive(sum);

        Dictionary<string, double> figures = Figures(oursMs, plainMs, new FileInfo(file).Length);
        figures["arrays"] = entries;
        return figures;
    }

    private static Dictionary<string, double> Tutorial(string dir)
    {
        StateMap model = Models.Tutorial();
        string ours = Path.Combine(dir, "tutorial.msgpack");
        string plain = Path.Combine(dir, "tutorial-plain.bin");
        byte[] bytes = Msgpack.Serialize(model);
        List<double> saveMs = [], loadMs = [], pairMs = [], plainMs = [];
        // In blocks, not interleaved: the baseline's truncating rewrite makes ext4 flush (auto_da_alloc), which
        // would stall the next call of either side.
        List<double> durableSaveMs = [];
        for (int rep = 0; rep < TutorialReps; rep++)
        {
            double save = Timing.Milliseconds(() => Msgpack.Save(ours, model, options: NotDurable));
            double load = Timing.Milliseconds(() => GC.KeepAlive(Msgpack.Load(ours)));
            saveMs.Add(save);
            loadMs.Add(load);
            pairMs.Add(save + load);
        }

        for (int rep = 0; rep < TutorialReps; rep++)
        {
            durableSaveMs.Add(Timing.Milliseconds(() => Msgpack.Save(ours, model)));
        }

        for (int rep = 0; rep < TutorialReps; rep++)
        {
            plainMs.Add(Timing.Milliseconds(() =>
            {
                File.WriteAllBytes(plain, bytes);
                GC.KeepAlive(File.ReadAllBytes(plain));
            }));
        }

        Dictionary<string, double> figures = Figures(pairMs, plainMs, bytes.Length);
        figures["save_ms"] = Timing.Median(saveMs);
        figures["load_ms"] = Timing.Median(loadMs);
        figures["durable_save_ms"] = Timing.Median(durableSaveMs);
        return figures;
    }

    private static Dictionary<string, double> MemorySave(string dir, long size)
    {
        StateMap model = Models.Layers(size);
        string file = Path.Combine(dir, "mem-save.msgpack");
        Msgpack.Save(Path.Combine(dir, "warm.msgpack"), Models.Tutorial());
        return Measure(() => Msgpack.Save(file, model), () => File.Delete(file), size);
    }

    private static Dictionary<string, double> MemoryLoad(string dir, long size, CheckpointLoadMode mode)
    {
        string file = ModelFile(dir, size);
        var options = MsgpackOptions.Default with { LoadMode = mode };
        GC.KeepAlive(Msgpack.Load(Path.Combine(dir, "warm.msgpack"), options: options));
        StateNode? tree = null;
        long arrays = 0;
        Dictionary<string, double> figures = Measure(
            () =>
            {
                tree = Msgpack.Load(file, options: options);

                // Read every array, so a mapped load counts the pages it would read.
                arrays = SumLayers(tree);
            },
            () => { },
            arrays);
        figures["model_bytes"] = arrays;
        GC.KeepAlive(tree);
        return figures;
    }

    private static Dictionary<string, double> MemoryLoadInto(string dir, long size)
    {
        string file = ModelFile(dir, size);
        StateMap model = Models.Layers(size);
        Msgpack.LoadInto(Path.Combine(dir, "warm.msgpack"), Models.Tutorial());
        Dictionary<string, double> figures = Measure(() => Msgpack.LoadInto(file, model), () => { }, size);
        GC.KeepAlive(model);
        return figures;
    }

    private static Dictionary<string, double> MemoryLazy(string dir, long size)
    {
        string file = LazyFile(dir, size);
        using (CheckpointReader warm = Msgpack.Open(Path.Combine(dir, "warm.msgpack")))
        {
            GC.KeepAlive(warm.ReadTree());
        }

        NdArray? array = null;
        float sum = 0;
        Dictionary<string, double> figures = Measure(
            () =>
            {
                using CheckpointReader reader = Msgpack.Open(file);
                array = reader.ReadArray($"layers/{reader["layers"].Children.Count / 2}/weight");
                sum = System.Numerics.Tensors.TensorPrimitives.Sum(array.AsReadOnlySpan<float>());
            },
            () => { },
            Models.LayerBytes);
        GC.KeepAlive(array);
        GC.KeepAlive(sum);
        return figures;
    }

    private static Dictionary<string, double> MemoryPlainWrite(string dir, long size)
    {
        using var bytes = new NativeBuffer(new FileInfo(ModelFile(dir, size)).Length);
        string file = Path.Combine(dir, "mem-plain.bin");
        return Measure(
            () =>
            {
                using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
                bytes.WriteTo(stream);
            },
            () => File.Delete(file),
            bytes.Length);
    }

    private static Dictionary<string, double> MemoryPlainRead(string dir, long size)
    {
        string file = ModelFile(dir, size);
        NativeBuffer? buffer = null;
        Dictionary<string, double> figures = Measure(
            () =>
            {
                buffer = new NativeBuffer(new FileInfo(file).Length);
                using SafeFileHandle handle = File.OpenHandle(file);
                buffer.ReadFrom(handle);
            },
            () => { },
            new FileInfo(file).Length);
        buffer?.Dispose();
        return figures;
    }

    // Reads every byte of every layer's weight; returns their byte count.
    private static long SumLayers(StateNode tree)
    {
        long bytes = 0;
        float sum = 0;
        foreach (KeyValuePair<string, StateNode> layer in tree["layers"].AsMap())
        {
            NdArray weight = layer.Value["weight"].AsArray();
            bytes += weight.ByteLength;
            sum += System.Numerics.Tensors.TensorPrimitives.Sum(weight.AsReadOnlySpan<float>());
        }

        GC.KeepAlive(sum);
        return bytes;
    }

    // Peak resident memory of one call, above what the process held just before it.
    private static Dictionary<string, double> Measure(Action action, Action cleanup, long modelBytes)
    {
        ProcessMemory.Settle();
        ProcessMemory.ResetPeak();
        long before = ProcessMemory.Resident();
        double ms = Timing.Milliseconds(action);
        long peak = ProcessMemory.Peak();
        cleanup();
        return new()
        {
            ["before_bytes"] = before,
            ["peak_bytes"] = peak,
            ["added_bytes"] = peak - before,
            ["model_bytes"] = modelBytes,
            ["ms"] = ms,
        };
    }

    private static Dictionary<string, double> Figures(List<double> ours, List<double> plain, long bytes) => new()
    {
        ["ours_ms"] = Timing.Median(ours),
        ["plain_ms"] = Timing.Median(plain),
        ["ours_min_ms"] = ours.Min(),
        ["plain_min_ms"] = plain.Min(),
        ["reps"] = ours.Count,
        ["file_bytes"] = bytes,
    };

    /// <summary>Parses a size argument: bytes, or with a suffix <c>m</c> or <c>g</c>.</summary>
    public static long ParseSize(string text)
    {
        char unit = char.ToLowerInvariant(text[^1]);
        return unit switch
        {
            'm' => long.Parse(text[..^1], CultureInfo.InvariantCulture) << 20,
            'g' => long.Parse(text[..^1], CultureInfo.InvariantCulture) << 30,
            _ => long.Parse(text, CultureInfo.InvariantCulture),
        };
    }
}
