using BrainTools.Checkpoint.Format;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>The bin header of an ndarray's element bytes, read from memory at hand.</summary>
public class NdArrayHeaderTests
{
    [Theory]
    [InlineData(new byte[] { 0xc4, 0x07 }, 7L, 2)]
    [InlineData(new byte[] { 0xc5, 0x01, 0x02, 0xff }, 0x0102L, 3)]
    [InlineData(new byte[] { 0xc6, 0x00, 0x40, 0x00, 0x00 }, 4L << 20, 5)]
    [InlineData(new byte[] { 0xc6, 0x7f, 0xff, 0xff, 0xff }, (long)int.MaxValue, 5)]
    public void TryReadBinLength_Bin8To32_LengthAndHeaderLength(byte[] bytes, long length, int headerLength)
    {
        Assert.True(NdArrayHeader.TryReadBinLength(bytes, out long read, out int header));
        Assert.Equal(length, read);
        Assert.Equal(headerLength, header);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xc4 })] // Cut short.
    [InlineData(new byte[] { 0xc6, 0x00, 0x40, 0x00 })]
    [InlineData(new byte[] { 0xc6, 0x80, 0x00, 0x00, 0x00 })] // Over what a span holds: the general path reports it.
    [InlineData(new byte[] { 0xd9, 0x02, 0x61, 0x62 })] // A str, not a bin.
    [InlineData(new byte[] { 0xc0 })]
    public void TryReadBinLength_NotAWholeBinHeaderOrTooLong_False(byte[] bytes)
    {
        Assert.False(NdArrayHeader.TryReadBinLength(bytes, out _, out _));
    }
}
