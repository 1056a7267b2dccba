using System.Buffers;
using System.Threading.Channels;

namespace Classifier.Core.Data;

/// <summary>
/// Produces batches of decoded images in the background while the caller trains on earlier ones. At most
/// <see cref="PrefetchBatches"/> ready batches wait at any time, so memory is bounded whatever the dataset size.
/// Images that cannot be decoded are recorded in <see cref="SkippedImages"/> and left out of their batch.
/// </summary>
public sealed class BatchLoader
{
    private readonly IReadOnlyList<LabeledImage> _images;
    private readonly ImageDecoder _decoder;
    private readonly PixelCache? _cache;
    private readonly SkippedImages _skipped;
    private readonly int _decodeWorkers;

    /// <summary>Creates a loader over <paramref name="images"/>.</summary>
    /// <param name="images">The dataset's images; batches refer to them by position.</param>
    /// <param name="decoder">Decoder with the model's preprocessing.</param>
    /// <param name="cache">Where decoded pixels are kept between epochs, or null to decode every time.</param>
    /// <param name="skipped">Collects files that could not be read.</param>
    /// <param name="decodeWorkers">Threads decoding one batch; 0 for the number of cores.</param>
    /// <param name="prefetchBatches">Ready batches allowed to wait for the consumer.</param>
    public BatchLoader(IReadOnlyList<LabeledImage> images, ImageDecoder decoder, PixelCache? cache,
        SkippedImages skipped, int decodeWorkers = 0, int prefetchBatches = 3)
    {
        _images = images;
        _decoder = decoder;
        _cache = cache;
        _skipped = skipped;
        _decodeWorkers = decodeWorkers > 0 ? decodeWorkers : Environment.ProcessorCount;
        PrefetchBatches = Math.Max(1, prefetchBatches);
    }

    /// <summary>Ready batches that may wait for the consumer.</summary>
    public int PrefetchBatches { get; }

    /// <summary>
    /// When true, the first file that cannot be decoded stops reading with a <see cref="ClassifierException"/> naming
    /// it (<c>--strict</c>), instead of being skipped.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>Number of images the loader reads from.</summary>
    public int ImageCount => _images.Count;

    /// <summary>
    /// Yields batches of <paramref name="batchSize"/> images taken in <paramref name="order"/> (positions in the
    /// dataset). The caller disposes each batch. Stopping the enumeration early stops the background work. When the
    /// decoder keeps a crop margin (<see cref="ImageDecoder.KeepsCropMargin"/>), <paramref name="window"/> says where
    /// each image's network-size window is cut (the centre when null); the cache holds the larger squares.
    /// </summary>
    public IEnumerable<Batch> Read(IReadOnlyList<int> order, int batchSize, CancellationToken cancellation = default, CropWindow? window = null)
    {
        RequireBatchFits(Math.Min(batchSize, order.Count));
        return ReadBatches(order, batchSize, window ?? CropWindow.Centre, cancellation);
    }

    /// <summary>One batch's pixels live in one array; a batch that cannot is refused before anything is decoded.</summary>
    private void RequireBatchFits(int images)
    {
        long bytes = (long)images * _decoder.Preprocessing.PixelBytes;
        if (bytes <= Array.MaxLength) return;
        int size = _decoder.Preprocessing.ImageSize;
        throw new ClassifierException(
            $"--batch-size: a batch of {images:N0} images of {size}x{size} px needs {bytes / (1L << 30):N0} GiB in one buffer; " +
            $"give at most {Array.MaxLength / _decoder.Preprocessing.PixelBytes:N0} (a few hundred is plenty).");
    }

    private IEnumerable<Batch> ReadBatches(IReadOnlyList<int> order, int batchSize, CropWindow window, CancellationToken cancellation)
    {
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(PrefetchBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var producer = Task.Run(() => ProduceAsync(order, batchSize, window, channel.Writer, stop.Token), CancellationToken.None);
        try
        {
            while (channel.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (channel.Reader.TryRead(out var batch))
                    yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            while (channel.Reader.TryRead(out var left)) left.Dispose();
            // Surface a failure of the producer (other than our own stop) to the caller.
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            while (channel.Reader.TryRead(out var left)) left.Dispose();
        }
        cancellation.ThrowIfCancellationRequested();
    }

    private async Task ProduceAsync(IReadOnlyList<int> order, int batchSize, CropWindow window, ChannelWriter<Batch> writer, CancellationToken stop)
    {
        try
        {
            for (int start = 0; start < order.Count; start += batchSize)
            {
                stop.ThrowIfCancellationRequested();
                int count = Math.Min(batchSize, order.Count - start);
                var batch = Build(order, start, count, window, stop);
                if (batch is null) continue;
                try
                {
                    await writer.WriteAsync(batch, stop).ConfigureAwait(false);
                }
                catch
                {
                    batch.Dispose();
                    throw;
                }
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
            throw;
        }
    }

    /// <summary>
    /// Decodes one batch; null when every image in it was unreadable. <paramref name="stop"/> (the caller's cancellation,
    /// or the consumer leaving) also stops a decode in progress, so Ctrl+C does not wait for a slow file's time budget.
    /// </summary>
    private Batch? Build(IReadOnlyList<int> order, int start, int count, CropWindow window, CancellationToken stop)
    {
        int pixelBytes = _decoder.Preprocessing.PixelBytes;
        int size = _decoder.Preprocessing.ImageSize, side = _decoder.DecodedSize;
        var pixels = ArrayPool<byte>.Shared.Rent(count * pixelBytes);
        var ok = new bool[count];
        var errors = Strict ? new string?[count] : null;
        void Load(int i)
        {
            int index = order[start + i];
            var slot = pixels.AsSpan(i * pixelBytes, pixelBytes);
            if (side == size)
            {
                ok[i] = Fetch(i, index, slot);
                return;
            }
            // A training crop: the larger square is decoded (or taken from the cache), the window cut from it.
            var square = ArrayPool<byte>.Shared.Rent(_decoder.DecodedBytes);
            try
            {
                var decoded = square.AsSpan(0, _decoder.DecodedBytes);
                ok[i] = Fetch(i, index, decoded);
                if (ok[i]) window.Cut(index, decoded, side, slot, size);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(square);
            }
        }

        // The decoded image (DecodedBytes) from the cache or the file; a file that cannot be read is recorded.
        bool Fetch(int i, int index, Span<byte> decoded)
        {
            var cached = _cache?.Get(index);
            if (cached is not null)
            {
                cached.CopyTo(decoded);
                return true;
            }
            var image = _images[index];
            if (_decoder.TryDecode(image.Path, decoded, out var error, stop))
            {
                _cache?.TryAdd(index, decoded);
                return true;
            }
            if (errors is not null) errors[i] = error;
            else _skipped.Add(image.Path, error!);
            return false;
        }

        // A batch served wholly from the cache is a few memory copies: done here, it does not wake worker threads that
        // would compete with libtorch's for the cores.
        bool allCached = _cache is not null;
        for (int i = 0; allCached && i < count; i++) allCached = _cache!.Get(order[start + i]) is not null;
        if (allCached)
            for (int i = 0; i < count; i++) Load(i);
        else
            // With the token, a cancelled decode (which throws with that token) ends the loop as one
            // OperationCanceledException rather than an AggregateException.
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _decodeWorkers, CancellationToken = stop }, Load);
        if (errors is not null && Array.FindIndex(errors, e => e is not null) is var bad and >= 0)
        {
            ArrayPool<byte>.Shared.Return(pixels);
            throw new ClassifierException(
                $"Cannot read '{_images[order[start + bad]].Path}': {errors[bad]}. --strict stops at the first bad file; " +
                "fix or remove it (classify check lists them all), or run without --strict to skip bad files.");
        }

        // Close the gaps left by skipped images so the batch is contiguous.
        var labels = new List<long>(count);
        var indices = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            if (!ok[i]) continue;
            int kept = labels.Count;
            if (kept != i)
                pixels.AsSpan(i * pixelBytes, pixelBytes).CopyTo(pixels.AsSpan(kept * pixelBytes, pixelBytes));
            int index = order[start + i];
            labels.Add(_images[index].Label);
            indices.Add(index);
        }
        if (labels.Count == 0)
        {
            ArrayPool<byte>.Shared.Return(pixels);
            return null;
        }
        return new Batch(pixels, labels.Count, labels.ToArray(), indices.ToArray(), _decoder.Preprocessing.ImageSize);
    }
}
