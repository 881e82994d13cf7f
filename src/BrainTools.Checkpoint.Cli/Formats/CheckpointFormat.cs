namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>The file formats the tool reads and writes.</summary>
internal enum CheckpointFormat
{
    /// <summary>braintools / flax msgpack (any extension the others do not claim).</summary>
    Msgpack,

    /// <summary>Hugging Face safetensors (<c>.safetensors</c>).</summary>
    Safetensors,

    /// <summary>numpy <c>savez</c> archive (<c>.npz</c>).</summary>
    Npz,
}
