namespace BrainTools.Checkpoint.Cli.Formats;

/// <summary>A safetensors or npz file that does not follow its format; the message says what and where.</summary>
internal sealed class CheckpointFormatException(string message) : Exception(message)
{
}
