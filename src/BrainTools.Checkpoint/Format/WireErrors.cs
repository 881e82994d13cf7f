using System.Text;
using MessagePack;

namespace BrainTools.Checkpoint.Format;

/// <summary>
/// The one place that turns what MessagePack-CSharp and the decoders throw into the reason of an
/// <see cref="InvalidCheckpointException"/>, so no raw .NET text reaches a user, and every reader words the same
/// failure the same way.
/// </summary>
internal static class WireErrors
{
    /// <summary>The reason for data of no bytes.</summary>
    public const string Empty = "the data is empty";

    /// <summary>The reason for data over <see cref="MsgpackOptions.MaxFileSize"/>: braintools' sentence (<c>msgpack_restore</c>'s <c>max_size</c>), then ours.</summary>
    public static string TooLarge(long length, long max) => $"Checkpoint data too large: {length} bytes exceeds maximum {max} bytes (MsgpackOptions.MaxFileSize)";

    /// <summary>The reason for a stream of unknown length that goes on past <see cref="MsgpackOptions.MaxFileSize"/>.</summary>
    public static string TooLongStream(long max) => $"Checkpoint data too large: more than {max} bytes exceeds maximum {max} bytes (MsgpackOptions.MaxFileSize; the stream was read no further)";

    /// <summary>Whether <paramref name="e"/> is how the msgpack primitives report bad bytes (and not a bug of ours).</summary>
    public static bool IsWireError(Exception e) =>
        e is MessagePackSerializationException or EndOfStreamException or DecoderFallbackException or OverflowException or ArgumentException;

    /// <summary>The reason for a wire error met while reading the value that starts at <paramref name="offset"/> (an absolute file offset).</summary>
    public static string Describe(Exception e, long offset) => $"{Describe(e)} near byte {offset}";

    /// <summary>The reason for a wire error, without where.</summary>
    public static string Describe(Exception e) => e switch
    {
        EndOfStreamException => "the data ends early (truncated)",
        DecoderFallbackException => "a string is not valid UTF-8",

        // MessagePackReader slices a bin, str or ext by its claimed length; a claim past the end fails the slice.
        ArgumentOutOfRangeException => "a length claims more bytes than the data holds",
        OverflowException => "a number does not fit its type",
        MessagePackSerializationException m => m.InnerException is EndOfStreamException ? "the data ends early (truncated)" : Sentence(m.Message),
        _ => "the data is not valid msgpack",
    };

    // MessagePack-CSharp's own texts are short and about the bytes ("Unexpected msgpack code 193 (never used) encountered."):
    // kept, as one clause.
    private static string Sentence(string message)
    {
        string trimmed = message.TrimEnd('.', ' ');
        return trimmed.Length == 0 ? "the data is not valid msgpack" : char.ToLowerInvariant(trimmed[0]) + trimmed[1..];
    }
}
