using BrainTools.Checkpoint.Fuzz.Adapters;

namespace BrainTools.Checkpoint.Fuzz.Targets;

/// <summary>Reading a numpy <c>.npz</c> file (through <see cref="NpzAdapter"/>): a tree or the reader's typed error.</summary>
internal sealed class NpzTarget : FuzzTarget
{
    public override string Name => "npz";

    public override void Run(byte[] input)
    {
        string path = ScratchFile.Write("input.npz", input);
        try
        {
            TreeWalk.Count(NpzAdapter.Read(path));
        }
        catch (Exception e) when (NpzAdapter.IsPromised(e))
        {
        }
    }
}
