using BrainTools.Checkpoint.Fuzz.Adapters;

namespace BrainTools.Checkpoint.Fuzz.Targets;

/// <summary>Reading a <c>.safetensors</c> file (through <see cref="SafetensorsAdapter"/>): a tree or the reader's typed error.</summary>
internal sealed class SafetensorsTarget : FuzzTarget
{
    public override string Name => "safetensors";

    public override void Run(byte[] input)
    {
        string path = ScratchFile.Write("input.safetensors", input);
        try
        {
            TreeWalk.Count(SafetensorsAdapter.Read(path));
        }
        catch (Exception e) when (SafetensorsAdapter.IsPromised(e))
        {
        }
    }
}
