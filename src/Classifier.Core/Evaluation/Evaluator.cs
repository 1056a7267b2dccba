using System.Diagnostics;
using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Evaluation;

/// <summary>
/// Runs a network over a dataset without gradients and measures loss, accuracy and the confusion matrix.
/// The same evaluator serves validation inside training and the standalone <c>eval</c> verb.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates <paramref name="model"/> on every image of <paramref name="loader"/>, in dataset order, as
    /// <paramref name="settings"/> say. The network runs on libtorch, in eval mode; the caller switches back to train mode
    /// if it continues training.
    /// </summary>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, BatchLoader loader, EvaluationSettings settings,
        CancellationToken cancellation = default)
    {
        using var network = InferenceNetwork.Torch(model);
        return Evaluate(network, loader, settings, cancellation);
    }

    /// <summary>As above, with the network on the engine <paramref name="network"/> runs on.</summary>
    public static EvaluationResult Evaluate(InferenceNetwork network, BatchLoader loader, EvaluationSettings settings,
        CancellationToken cancellation = default)
    {
        var (classNames, preprocessing, batchSize) = settings;
        int topK = settings.TopK;
        var device = settings.Device ?? CPU;
        var augmentation = settings.Augmentation;
        if (topK > classNames.Count)
            throw new ClassifierException($"--top-k {topK}: the model has only {classNames.Count} classes.");
        var clock = Stopwatch.StartNew();
        var matrix = new ConfusionMatrix(classNames);
        var predictions = new List<ImagePrediction>(loader.ImageCount);
        double lossSum = 0;
        long images = 0, topKCorrect = 0;
        var order = Enumerable.Range(0, loader.ImageCount).ToArray();
        var pacing = new FinalizerPacing();
        using (inference_mode())
        {
            foreach (var batch in loader.Read(order, batchSize, cancellation))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    var logits = network.Logits(BatchTensors.Input(batch, preprocessing).to(device), augmentation); // [N, classes]
                    var labels = BatchTensors.Labels(batch).to(device);                          // [N]
                    var losses = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None); // [N]
                    var (confidence, predicted) = nn.functional.softmax(logits, 1).max(1);
                    var lossValues = losses.data<float>().ToArray();
                    var predictedValues = predicted.data<long>().ToArray();
                    var confidenceValues = confidence.data<float>().ToArray();
                    if (topK >= 2)
                    {
                        var (_, topIndices) = logits.topk(topK, dim: 1);                          // [N, k]
                        topKCorrect += topIndices.eq(labels.unsqueeze(1)).any(1).sum().item<long>();
                    }
                    for (int i = 0; i < batch.Count; i++)
                    {
                        int actual = (int)batch.Labels[i];
                        int guess = (int)predictedValues[i];
                        matrix.Add(actual, guess);
                        lossSum += lossValues[i];
                        predictions.Add(new ImagePrediction(batch.Indices[i], actual, guess, confidenceValues[i], lossValues[i]));
                    }
                    images += batch.Count;
                }
                pacing.AfterBatch();
                settings.OnBatch?.Invoke(images);
            }
        }
        return new EvaluationResult(images, images == 0 ? double.NaN : lossSum / images, matrix, predictions, clock.Elapsed.TotalSeconds)
        {
            LossSum = lossSum,
            TopK = topK >= 2 ? topK : 0,
            TopKCorrect = topK >= 2 ? topKCorrect : 0,
            Augmentation = augmentation,
            Engine = network.Engine,
            Precision = network.Precision,
        };
    }
}
