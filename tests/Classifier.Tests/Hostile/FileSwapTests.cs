using System.Diagnostics;
using Classifier.Core.Data;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// The gap between looking at a path and opening it: a file swapped for a FIFO after the check must be reported, never
/// opened for a blocking read.
/// </summary>
public sealed class FileSwapTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AnImageSwappedBackAndForthWithAFifo_IsReadOrReported_NeverHangs()
    {
        var good = BadFiles.GoodPng(_dir.Combine("good.png"), 1);
        var fifo = _dir.Combine("fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            mkfifo.WaitForExit();
        var target = _dir.Combine("x.png");
        File.CreateSymbolicLink(target, good);

        using var stop = new CancellationTokenSource();
        // Replaces the link x.png atomically (rename over it), pointing alternately at the image and the FIFO.
        var swapper = Task.Run(() =>
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                var next = _dir.Combine($"x.{i}.tmp");
                File.CreateSymbolicLink(next, i % 2 == 0 ? fifo : good);
                File.Move(next, target, overwrite: true);
            }
        });
        int read = 0, reported = 0, checkedWhenOpen = 0, hashed = 0;
        var reader = Task.Run(() =>
        {
            var decoder = new ImageDecoder(new Preprocessing(8, Interpolation.Nearest, 1f / 255));
            var pixels = new byte[8 * 8 * 3];
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(3))
            {
                if (decoder.TryDecode(target, pixels, out var error)) read++;
                else if (error!.Contains("not a regular file (a named pipe, FIFO)")) reported++;
                if (error?.Contains("it was not read") == true) checkedWhenOpen++;
                if (TrainingFiles.Sha256(target) != "") hashed++;
            }
        });

        var finished = await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(60)));
        stop.Cancel();
        await swapper;
        if (finished != reader)
        {
            // Release the reader blocked in open() by opening the FIFO's other end, then fail.
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail("reading an image swapped for a FIFO hung");
        }
        await reader;
        Assert.True(read > 0 && reported > 0, $"read {read}, reported {reported}, caught at open {checkedWhenOpen}, hashed {hashed}");
    }
}
