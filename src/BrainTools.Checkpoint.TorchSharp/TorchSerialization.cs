using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BrainTools.Checkpoint.TorchSharp;

/// <summary>
/// Teaches the library TorchSharp's types, so they can sit anywhere in a tree given to <see cref="Msgpack.Save(string, object?, bool, MsgpackOptions?, AsyncManager?)"/>,
/// <see cref="Msgpack.Load{T}(string, T, Mismatch, MsgpackOptions?)"/> and <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>:
/// <list type="bullet">
/// <item><see cref="Tensor"/> (and <see cref="Parameter"/>): saved as an ndarray written straight from its CPU memory,
/// restored <em>into</em> the tensor (as <c>copy_</c> would), shape-checked under the mismatch policy and converted
/// to the tensor's dtype. Under <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/> the file is read straight into the tensor's memory.</item>
/// <item><see cref="nn.Module"/>: its <c>state_dict()</c> (parameters and persistent buffers), nested by the dotted
/// names (<see cref="StateDictTree"/>); restored into the module's own tensors.</item>
/// <item>TorchSharp's optimizers (<see cref="OptimizerHelper"/>: SGD, Adam, AdamW, ...): their <c>state_dict()</c>
/// in PyTorch's shape (<see cref="OptimizerStateTree"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// This file is the whole contact between TorchSharp and the library's serialization: registrations through
/// <c>Msgpack.RegisterSerialization</c>, whose restore handlers continue the running restore through the
/// <see cref="CheckpointRestoreContext"/> they are handed (its path, policy and, under <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/>,
/// its in-place array sink).
/// Restoring is atomic for contiguous CPU tensors under <see cref="Msgpack.LoadInto{T}(string, T, Mismatch, MsgpackOptions?)"/> (every check passes
/// before any memory changes); non-contiguous and device tensors, new optimizer tensors and optimizer scalars
/// are set while the tree is walked.
/// </remarks>
public static class TorchSerialization
{
    private static readonly Lock Gate = new();
    private static bool s_registered;

    /// <summary>Registers the handlers once (replacing any handler registered earlier for these types); later calls do nothing. Thread-safe.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (s_registered)
            {
                return;
            }

            Msgpack.RegisterSerialization<Tensor>(TensorArrays.ToNdArray, RestoreTensor, @override: true);
            Msgpack.RegisterSerialization<nn.Module>(ModuleTree, RestoreModule, @override: true);
            Msgpack.RegisterSerialization<OptimizerHelper>(OptimizerStateTree.ToTree, RestoreOptimizer, @override: true);
            s_registered = true;
        }
    }

    /// <summary>The module's state_dict nested by its dotted names, with the tensors as leaves.</summary>
    internal static Dictionary<string, object?> ModuleTree(nn.Module module) => StateDictTree.Nest(module.state_dict());

    private static Tensor RestoreTensor(Tensor tensor, StateNode state, CheckpointRestoreContext context)
    {
        // A writable view takes the loaded values in place (a load in place reads the file into it after every
        // check has passed). A tensor that cannot be viewed gets a read-only stand-in of its dtype and shape (an
        // uninitialised CPU tensor, never read, so its pages are never touched), and the restore hands back the
        // loaded array, which is copied in now.
        using Tensor? standIn = TensorArrays.IsViewable(tensor) ? null : empty(tensor.shape, tensor.dtype);
        NdArray template = standIn is null ? TensorArrays.View(tensor, writable: true) : TensorArrays.View(standIn, writable: false);
        NdArray restored = context.Restore(template, state);
        if (!ReferenceEquals(restored, template))
        {
            TensorArrays.CopyInto(restored, tensor);
        }

        return tensor;
    }

    private static nn.Module RestoreModule(nn.Module module, StateNode state, CheckpointRestoreContext context)
    {
        context.Restore(ModuleTree(module), state);
        return module;
    }

    private static OptimizerHelper RestoreOptimizer(OptimizerHelper optimizer, StateNode state, CheckpointRestoreContext context)
    {
        OptimizerStateTree.Restore(optimizer, state, context);
        return optimizer;
    }
}
