using BrainTools.Checkpoint.Format;
using MessagePack;

namespace BrainTools.Checkpoint.Tests.Format;

/// <summary>
/// What a lazy open's window hands the walk past a skipped payload: the data after the window (through the mapping,
/// which it holds in blocks of 1 GiB), and a reader where the walk goes on. The file is sparse, a little over one
/// block, with known bytes on both sides of the block boundary.
/// </summary>
public sealed class WireWindowTests : IDisposable
{
    private const long Block = 1L << 30;
    private const long PatternStart = Block - 16384;
    private const long PatternEnd = Block + 16384;

    private readonly TempDirectory _dir = new();
    private readonly string _file;

    public WireWindowTests()
    {
        _file = _dir.File("sparse.bin");
        using FileStream stream = File.Create(_file);
        stream.SetLength(Block + 65536);
        stream.Position = PatternStart;
        byte[] pattern = new byte[PatternEnd - PatternStart];
        for (int i = 0; i < pattern.Length; i++)
        {
            pattern[i] = Expected(PatternStart + i);
        }

        stream.Write(pattern);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(Block - 3000, Block - 200, Block + 100)] // The window ends where a block does: on into the next block.
    [InlineData(Block - 8092, Block - 8000, Block + 50)] // The window ends inside a block: through the rest of it, then the next.
    [InlineData(Block - 8092, Block - 8000, Block - 10)] // Ends in the rest of the block.
    [InlineData(Block - 8092, Block - 8000, Block)] // Ends with the block.
    [InlineData(Block - 8092, Block - 8000, Block - 4500)] // Ends in the window.
    public void Slice_FromTheWindowOnward_TheDataBytes(long header, long start, long end)
    {
        using var opened = new OpenWindow(_file, header);
        WireWindow window = opened.Window;

        byte[] expected = [.. Enumerable.Range(0, (int)(end - start)).Select(i => Expected(start + i))];
        Assert.Equal(expected, System.Buffers.BuffersExtensions.ToArray(window.Slice(start, end)));
    }

    [Fact]
    public void WindowFrom_InTheWindow_ItsBytesToTheEnd_ElseEmpty()
    {
        using var opened = new OpenWindow(_file, Block - 8092); // The window: the page [Block - 8192, Block - 4096).
        WireWindow window = opened.Window;

        ReadOnlyMemory<byte> bytes = window.WindowFrom(Block - 5000);
        Assert.Equal(5000 - 4096, bytes.Length);
        Assert.Equal(Expected(Block - 5000), bytes.Span[0]);
        Assert.Equal(0, window.WindowFrom(Block - 4096).Length);
        Assert.Equal(0, window.WindowFrom(Block - 8193).Length);
        Assert.Equal(0, window.WindowFrom(Block).Length);
    }

    [Fact]
    public void ReaderAfterSkip_InTheWindow_ReadsFromThere_PastIt_TheNextStepMovesTheWindow()
    {
        using var opened = new OpenWindow(_file, Block - 8092);
        WireWindow window = opened.Window;

        MessagePackReader inWindow = window.ReaderAfterSkip(Block - 5000);
        Assert.Equal(Expected(Block - 5000), inWindow.ReadRaw(1).FirstSpan[0]);

        MessagePackReader past = window.ReaderAfterSkip(Block + 100);
        Assert.True(past.End);
        Assert.True(window.TryMove(Block + 100, ref past));
        Assert.Equal(Expected(Block + 100), past.ReadRaw(1).FirstSpan[0]);

        // At the very end of the data: an empty reader, and nothing to move to.
        Assert.True(window.ReaderAfterSkip(opened.Source.Length).End);
    }

    private static byte Expected(long offset) => offset is >= PatternStart and < PatternEnd ? (byte)((offset * 31) + 7) : (byte)0;

    // The sparse file mapped, and a window moved to the header at a position past its first page, as past a payload.
    private sealed class OpenWindow : IDisposable
    {
        private readonly MappedArrayStorage _mapping;

        public OpenWindow(string file, long header)
        {
            Source = new FileCheckpointSource(file);
            _mapping = MappedArrayStorage.Map(Source.Handle, Source.Length, copyOnWrite: false);
            Window = new WireWindow(Source, _mapping);
            MessagePackReader reader = Window.Start();
            Assert.True(Window.TryMove(header, ref reader));
        }

        public FileCheckpointSource Source { get; }

        public WireWindow Window { get; }

        public void Dispose()
        {
            Window.Finish();
            _mapping.Dispose();
            Source.Dispose();
        }
    }
}
