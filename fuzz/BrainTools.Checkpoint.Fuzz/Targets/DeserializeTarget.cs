namespace BrainTools.Checkpoint.Fuzz.Targets;

/// <summary>
/// <c>Msgpack.Deserialize(bytes)</c> and <c>Msgpack.Load(stream)</c> (which joins chunked arrays in place instead of
/// copying), with the default limits and with <see cref="MsgpackOptions.UntrustedData"/>: a tree or an
/// <see cref="InvalidCheckpointException"/>.
/// </summary>
internal sealed class DeserializeTarget : FuzzTarget
{
    public override string Name => "deserialize";

    public override void Run(byte[] input)
    {
        foreach (MsgpackOptions options in (MsgpackOptions[])[MsgpackOptions.Default, MsgpackOptions.UntrustedData])
        {
            try
            {
                TreeWalk.Count(Msgpack.Deserialize(input, options));
            }
            catch (InvalidCheckpointException)
            {
            }

            try
            {
                using var stream = new MemoryStream(input, writable: false);
                TreeWalk.Count(Msgpack.Load(stream, options));
            }
            catch (InvalidCheckpointException)
            {
            }
        }
    }
}
