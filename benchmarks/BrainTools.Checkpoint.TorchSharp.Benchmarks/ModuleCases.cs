using System.Runtime.InteropServices;
using BrainTools.Checkpoint.TorchSharp;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp.Benchmarks;

/// <summary>The six measured operations on one module, each on its own file in one folder.</summary>
internal sealed partial class ModuleCases(nn.Module module, Tensor[] parameters, string folder)
{
    private readonly string _ours = Path.Combine(folder, "ours.msgpack");
    private readonly string _torch = Path.Combine(folder, "module.dat");
    private readonly string _plain = Path.Combine(folder, "plain.bin");
    private byte[]? _expected;

    /// <summary>Writes every file once and remembers the first parameter's bytes, to check the loads.</summary>
    public void Prepare()
    {
        SaveOurs();
        SaveTorchSharp();
        WritePlain();
        _expected = parameters[0].bytes.ToArray();
    }

    private static readonly MsgpackOptions NotDurable = MsgpackOptions.Default with { Durable = false };

    /// <summary>Flushes every dirty page of the system to disk (libc sync).</summary>
    public static void Sync() => SyncNative();

    /// <summary>Without the fsyncs, as module.save and the plain write.</summary>
    public void SaveOurs() => TorchCheckpoint.Save(_ours, module, NotDurable);

    public void SaveOursDurable() => TorchCheckpoint.Save(_ours, module);

    public void SaveTorchSharp() => module.save(_torch);

    public void WritePlain()
    {
        using var stream = new FileStream(_plain, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (Tensor parameter in parameters)
        {
            stream.Write(parameter.bytes);
        }
    }

    public void LoadOurs() => TorchCheckpoint.LoadInto(_ours, module);

    /// <summary>The load without the report (no index pass for Reconcile).</summary>
    public void LoadOursBare() => Msgpack.LoadInto(_ours, module);

    public void LoadTorchSharp() => module.load(_torch);

    public void ReadPlain()
    {
        using var stream = new FileStream(_plain, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        foreach (Tensor parameter in parameters)
        {
            stream.ReadExactly(parameter.bytes);
        }
    }

    /// <summary>Each load put the saved values back (the benchmark would be meaningless otherwise).</summary>
    public void CheckLoaded()
    {
        TorchCheckpoint.LoadInto(_ours, module);
        if (!parameters[0].bytes.SequenceEqual(_expected))
        {
            throw new InvalidOperationException("LoadInto did not restore the saved values.");
        }
    }

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void SyncNative();
}
