using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Training;

/// <summary>
/// The training loss: cross-entropy on logits with optional label smoothing, each image weighted by its class
/// weight, averaged over the batch (Keras' class_weight semantics: mean of weight x loss). Validation loss is plain
/// cross-entropy, so it stays comparable across settings.
/// </summary>
public sealed class TrainingLoss : IDisposable
{
    private readonly Tensor? _classWeights;
    private readonly double _labelSmoothing;

    /// <summary>
    /// Creates the loss; <paramref name="classWeights"/> null means every class weighs 1. The weights live on
    /// <paramref name="device"/> (the CPU when null), where the logits are.
    /// </summary>
    public TrainingLoss(double labelSmoothing, double[]? classWeights, Device? device = null)
    {
        _labelSmoothing = labelSmoothing;
        if (classWeights is not null)
            _classWeights = tensor(classWeights.Select(w => (float)w).ToArray(), device: device).DetachFromDisposeScope();
    }

    /// <summary>
    /// Balanced weights: images / (classes x images of the class), so every class contributes equally in
    /// expectation. A class without images gets weight 0.
    /// </summary>
    public static double[] BalancedWeights(IReadOnlyList<int> classCounts)
    {
        double total = classCounts.Sum();
        return classCounts.Select(n => n == 0 ? 0 : total / (classCounts.Count * (double)n)).ToArray();
    }

    /// <summary>Mean loss of a batch. <paramref name="logits"/>: [N, classes]; <paramref name="labels"/>: [N] int64.</summary>
    public Tensor Compute(Tensor logits, Tensor labels)
    {
        var perImage = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None, label_smoothing: _labelSmoothing); // [N]
        if (_classWeights is not null) perImage = perImage.mul(_classWeights.index_select(0, labels));
        return perImage.mean();
    }

    /// <inheritdoc />
    public void Dispose() => _classWeights?.Dispose();
}
