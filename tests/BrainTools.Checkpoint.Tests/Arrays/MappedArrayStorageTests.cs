namespace BrainTools.Checkpoint.Tests.Arrays;

public sealed class MappedArrayStorageTests
{
    [Fact]
    public async Task GetSpan_AcquiredWhileDisposing_ReadsOrThrowsDisposed()
    {
        using var dir = new TempDirectory();
        string file = dir.File("data.bin");
        File.WriteAllBytes(file, [7, 7, 7, 7]);
        int reads = 0;

        // The race is narrow: many mappings, each read by two threads while the main thread disposes it.
        for (int round = 0; round < 300; round++)
        {
            MappedArrayStorage storage;
            using (Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(file))
            {
                storage = MappedArrayStorage.Map(handle, 4, copyOnWrite: false);
            }

            using var started = new CountdownEvent(2);
            Task[] readers = [.. Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    started.Signal();
                    while (true)
                    {
                        try
                        {
                            storage.Acquire();
                        }
                        catch (ObjectDisposedException)
                        {
                            return;
                        }

                        try
                        {
                            Assert.Equal(7, storage.GetSpan(0, 4)[3]);
                            Interlocked.Increment(ref reads);
                        }
                        catch (ObjectDisposedException)
                        {
                        }
                        finally
                        {
                            storage.Release();
                        }
                    }
                },
                TaskCreationOptions.LongRunning))];
            started.Wait();

            storage.Dispose();

            // A NullReferenceException (a read through an address zeroed under it) fails the test here.
            await Task.WhenAll(readers);
        }

        Assert.True(reads > 0);
    }
}
