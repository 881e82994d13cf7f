using System.Buffers;
using System.Text;

namespace BrainTools.Checkpoint.Format;

/// <summary>Strict UTF-8, as Python decodes msgpack strings: an invalid byte is an error, never a replacement character.</summary>
internal static class WireStrings
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>.</summary>
    /// <exception cref="DecoderFallbackException">The bytes are not valid UTF-8; its <c>Index</c> is the bad byte's.</exception>
    public static string Decode(ReadOnlySpan<byte> bytes) => StrictUtf8.GetString(bytes);

    /// <summary>Decodes <paramref name="bytes"/>.</summary>
    /// <exception cref="DecoderFallbackException">The bytes are not valid UTF-8; its <c>Index</c> is the bad byte's.</exception>
    public static string Decode(ReadOnlySequence<byte> bytes) => bytes.IsSingleSegment ? StrictUtf8.GetString(bytes.FirstSpan) : StrictUtf8.GetString(bytes.ToArray());
}
