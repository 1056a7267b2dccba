using System.Buffers;
using Classifier.Core.Prediction;
using Classifier.Core.Serving;

namespace Classifier.Cli.Serve;

/// <summary>
/// What every inference endpoint does with a request's images: decode each on the request's thread with the model's
/// decoder and limits (an image that cannot be used gets predict's error row), queue the pixels for the batcher,
/// and turn the probabilities into predict's rows.
/// </summary>
internal sealed class ImageClassifier(ServingModel model, InferenceBatcher batcher, ServeMetrics metrics)
{
    /// <summary>One row per image, in order; rows of undecodable images carry the reason.</summary>
    public async Task<PredictionRow[]> Classify(IReadOnlyList<EncodedImage> images, int topK, CancellationToken cancellation)
    {
        var pending = new Task<float[]>?[images.Count];
        var rows = new PredictionRow[images.Count];
        int refused = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var pixels = ArrayPool<byte>.Shared.Rent(model.PixelBytes);
            // The request's token (its --timeout-ms, its client leaving) also stops a slow decode.
            if (model.TryDecode(images[i].Bytes, images[i].Length, pixels.AsSpan(0, model.PixelBytes), out var error, cancellation))
            {
                pending[i] = batcher.Classify(pixels, cancellation);
                continue;
            }
            ArrayPool<byte>.Shared.Return(pixels);
            rows[i] = new PredictionRow(images[i].Name, [], error ?? "could not be read");
            refused++;
        }
        for (int i = 0; i < images.Count; i++)
            if (pending[i] is { } task)
                rows[i] = new PredictionRow(images[i].Name, model.Top(await task.WaitAsync(cancellation), 0, topK), null);
        metrics.CountImages(images.Count - refused, refused);
        return rows;
    }
}
