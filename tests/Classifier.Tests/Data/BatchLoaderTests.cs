using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Tests.Support;

namespace Classifier.Tests.Data;

/// <summary>
/// <see cref="BatchLoader"/>'s contract, on solid-colour images whose pixels say which file they came from: batches in the
/// order given with their labels and dataset positions, unreadable files left out and recorded (or, with --strict, the
/// first one named in an error), at most <see cref="BatchLoader.PrefetchBatches"/> ready batches waiting, the cache
/// serving later epochs, and cancellation and early stops honoured.
/// </summary>
public sealed class BatchLoaderTests : IDisposable
{
    private const int Side = 8;
    private static readonly Preprocessing Preprocessing = new(Side, Interpolation.Nearest, 1f / 255);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_YieldsTheImagesInTheGivenOrder_InBatchesOfTheGivenSize_WithTheirLabelsAndPositions()
    {
        var images = Images(7);
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache: null, new SkippedImages(), decodeWorkers: 2);
        int[] order = [6, 0, 5, 1, 4, 2, 3];

        var batches = Collect(loader.Read(order, batchSize: 3));

        Assert.Equal([3, 3, 1], batches.Select(b => b.Indices.Length));
        Assert.Equal(order, batches.SelectMany(b => b.Indices));
        Assert.Equal(order.Select(i => (long)images[i].Label), batches.SelectMany(b => b.Labels));
    }

    [Fact]
    public void UnreadableImages_AreLeftOutOfTheirBatch_AndRecorded_AndABatchOfNothingButThemIsNotYielded()
    {
        var images = Images(4).ToList();
        images.Add(new LabeledImage(BadFiles.TextAsImage(_dir.Combine("bad1.png")), 1));
        images.Add(new LabeledImage(BadFiles.Empty(_dir.Combine("bad2.png")), 2));
        var skipped = new SkippedImages();
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache: null, skipped, decodeWorkers: 2);

        var batches = Collect(loader.Read([0, 4, 1, 4, 5, 2, 3], batchSize: 2));

        // [0, bad1] -> [0]; [1, bad1] -> [1]; [bad2, 2] -> [2]; [3] -> [3].
        Assert.Equal([[0], [1], [2], [3]], batches.Select(b => b.Indices));   // pixels checked in Collect: the gaps are closed
        Assert.Equal([images[4].Path, images[5].Path], skipped.All.Select(s => s.Key).Distinct().Order());
    }

    [Fact]
    public void ABatchOfOnlyUnreadableImages_IsNotYielded()
    {
        var images = Images(2).ToList();
        images.Add(new LabeledImage(BadFiles.TextAsImage(_dir.Combine("bad1.png")), 0));
        images.Add(new LabeledImage(BadFiles.Empty(_dir.Combine("bad2.png")), 1));
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache: null, new SkippedImages(), decodeWorkers: 2);

        var batches = Collect(loader.Read([0, 2, 3, 1], batchSize: 1));

        Assert.Equal([[0], [1]], batches.Select(b => b.Indices));
    }

    [Fact]
    public void Strict_StopsAtTheFirstUnreadableImage_NamingIt()
    {
        var images = Images(3).ToList();
        images.Add(new LabeledImage(BadFiles.TextAsImage(_dir.Combine("not-an-image.png")), 0));
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache: null, new SkippedImages()) { Strict = true };

        var error = Assert.Throws<ClassifierException>(() => Collect(loader.Read([0, 1, 2, 3], batchSize: 2)));

        Assert.Contains(images[3].Path, error.Message);
        Assert.Contains("--strict", error.Message);
    }

    [Fact]
    public void ABatchTooLargeForOneBuffer_IsRefusedNamingBatchSize_BeforeAnythingIsDecoded()
    {
        var loader = new BatchLoader(Images(1), new ImageDecoder(new Preprocessing(224, Interpolation.Bilinear, 1f / 255)), cache: null, new SkippedImages());
        var order = new int[20_000];   // 20,000 x 224 x 224 x 3 bytes is over 2 GiB

        var error = Assert.Throws<ClassifierException>(() => loader.Read(order, batchSize: order.Length));

        Assert.Contains("--batch-size", error.Message);
    }

    [Fact]
    public void ALaterEpoch_IsServedFromTheCache_WhenTheFilesAreGone()
    {
        var images = Images(5);
        var cache = new PixelCache(images.Count, new CacheBudget(1 << 20));
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache, new SkippedImages(), decodeWorkers: 2);
        int[] order = [0, 1, 2, 3, 4];
        Collect(loader.Read(order, batchSize: 2));
        foreach (var image in images) File.Delete(image.Path);

        var second = Collect(loader.Read(order.Reverse().ToArray(), batchSize: 2));

        Assert.Equal(order.Reverse(), second.SelectMany(b => b.Indices));
    }

    [Fact]
    public void AtMostPrefetchBatches_WaitForTheConsumer_AndStoppingEarlyStopsTheDecoding()
    {
        var images = Images(20);
        var cache = new PixelCache(images.Count, new CacheBudget(1 << 20));   // counts the images decoded so far
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache, new SkippedImages(), decodeWorkers: 1, prefetchBatches: 2);
        int Decoded() => Enumerable.Range(0, images.Count).Count(i => cache.Get(i) is not null);
        // The batch taken, two waiting, and one decoded but waiting for room: 4 batches of 2 images.
        const int Bound = (1 + 2 + 1) * 2;

        using (var reader = loader.Read([.. Enumerable.Range(0, images.Count)], batchSize: 2).GetEnumerator())
        {
            Assert.True(reader.MoveNext());
            reader.Current.Dispose();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (Decoded() < Bound && waited.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(5);
            // Had the producer not waited for room, the count would go on to all 20 images.
            for (int check = 0; check < 20; check++, Thread.Sleep(5))
                Assert.Equal(Bound, Decoded());
        }

        // Disposing the enumeration waited for the producer to stop: nothing more is decoded.
        Assert.Equal(Bound, Decoded());
    }

    [Fact]
    public void Cancellation_EndsTheEnumeration_WithOperationCanceled()
    {
        var images = Images(12);
        var loader = new BatchLoader(images, new ImageDecoder(Preprocessing), cache: null, new SkippedImages(), decodeWorkers: 1, prefetchBatches: 1);
        using var cancellation = new CancellationTokenSource();
        int taken = 0;

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Read([.. Enumerable.Range(0, images.Count)], batchSize: 2, cancellation.Token))
            {
                batch.Dispose();
                taken++;
                cancellation.Cancel();
            }
        });
        Assert.InRange(taken, 1, 3);   // the batch that saw the cancel and at most the two already made
    }

    /// <summary>Image i is solid (10 i, 255 - 10 i, 7), so its pixels tell which file a batch slot holds.</summary>
    private List<LabeledImage> Images(int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
            new LabeledImage(TestImages.Solid(_dir.Combine($"img{i}.png"), Side, Colour(i)[0], Colour(i)[1], Colour(i)[2]), i % 3))];

    private static byte[] Colour(int i) => [(byte)(10 * i), (byte)(255 - 10 * i), 7];

    private static void AssertPixelsAre(Batch batch)
    {
        Assert.Equal(batch.Indices.Length, batch.Count);
        int bytes = Preprocessing.PixelBytes;
        var pixels = batch.Pixels;
        Assert.Equal(batch.Count * bytes, pixels.Length);
        for (int k = 0; k < batch.Count; k++)
        {
            var expected = Colour(batch.Indices[k]);
            var slot = pixels.Slice(k * bytes, bytes);
            for (int p = 0; p < bytes; p++)
                Assert.True(slot[p] == expected[p % 3], $"slot {k} (image {batch.Indices[k]}), byte {p}: {slot[p]}, expected {expected[p % 3]}");
        }
    }

    /// <summary>Every batch's positions and labels, its pixels checked against them before it goes back to the pool.</summary>
    private static List<(int[] Indices, long[] Labels)> Collect(IEnumerable<Batch> batches)
    {
        var all = new List<(int[] Indices, long[] Labels)>();
        foreach (var batch in batches)
        {
            using (batch)
            {
                AssertPixelsAre(batch);
                all.Add((batch.Indices, batch.Labels));
            }
        }
        return all;
    }
}
