using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Classifier.Core.Serving;

namespace Classifier.Cli.Serve;

/// <summary>
/// Gathers decoded images from concurrent requests into batches for one network: the first image waits at most
/// <see cref="ServeSettings.MaxDelayMs"/> for others, up to <see cref="ServeSettings.BatchSize"/> (Triton's dynamic
/// batching, TorchServe's batch_size/max_batch_delay). <see cref="Run"/> runs the network on the calling thread (the
/// process's main thread, where the CLI keeps all torch work), so no-grad mode and dispose scopes stay on one thread.
/// </summary>
internal sealed class InferenceBatcher(ServingModel model, ServeSettings settings, ServeMetrics metrics) : IDisposable
{
    private readonly BlockingCollection<Item> _items = new();

    /// <summary>Images waiting for the network.</summary>
    public int Queued => _items.Count;

    /// <summary>
    /// Queues <paramref name="pixels"/> (rented from the shared pool; the batcher returns it) and completes with the
    /// image's class probabilities, or is cancelled by <paramref name="cancellation"/> (the image is then skipped).
    /// </summary>
    public Task<float[]> Classify(byte[] pixels, CancellationToken cancellation)
    {
        var item = new Item(pixels, new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously), cancellation);
        try
        {
            _items.Add(item, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            ArrayPool<byte>.Shared.Return(pixels);
            throw new ServerStoppingException();
        }
        return item.Done.Task;
    }

    /// <summary>No more images: <see cref="Run"/> returns once those queued are answered.</summary>
    public void Complete() => _items.CompleteAdding();

    /// <summary>Classifies queued images batch by batch until <see cref="Complete"/> and the queue is empty.</summary>
    public void Run()
    {
        int pixelBytes = model.PixelBytes;
        var batch = new List<Item>(settings.BatchSize);
        var pixels = new byte[(long)settings.BatchSize * pixelBytes];
        while (_items.TryTake(out var first, Timeout.Infinite))
        {
            batch.Add(first);
            var wait = Stopwatch.StartNew();
            while (batch.Count < settings.BatchSize)
            {
                int remaining = settings.MaxDelayMs - (int)wait.ElapsedMilliseconds;
                if (!_items.TryTake(out var next, Math.Max(0, remaining))) break;
                batch.Add(next);
            }
            int count = 0;
            foreach (var item in batch)
            {
                if (item.Cancellation.IsCancellationRequested) item.Done.TrySetCanceled(item.Cancellation);
                else item.Pixels.AsSpan(0, pixelBytes).CopyTo(pixels.AsSpan(count++ * pixelBytes, pixelBytes));
                ArrayPool<byte>.Shared.Return(item.Pixels);
            }
            if (count > 0) RunBatch(batch, pixels, count);
            batch.Clear();
        }
    }

    private void RunBatch(List<Item> batch, byte[] pixels, int count)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var probabilities = model.Probabilities(pixels.AsSpan(0, count * model.PixelBytes), count);   // [count x classes]
            int classes = model.ClassNames.Count, index = 0;
            foreach (var item in batch)
            {
                if (item.Done.Task.IsCompleted) continue;
                item.Done.TrySetResult(probabilities.AsSpan(index++ * classes, classes).ToArray());
            }
            metrics.ObserveBatch(count, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The network failed on this batch: each request gets a 500 naming the cause; the server keeps serving.
            foreach (var item in batch) item.Done.TrySetException(e);
            metrics.CountError("inference");
        }
    }

    public void Dispose() => _items.Dispose();

    private sealed record Item(byte[] Pixels, TaskCompletionSource<float[]> Done, CancellationToken Cancellation);
}
