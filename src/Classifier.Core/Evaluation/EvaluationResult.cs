namespace Classifier.Core.Evaluation;

/// <summary>What an evaluation pass measured.</summary>
/// <param name="Images">Images evaluated (unreadable files are not counted).</param>
/// <param name="Loss">Mean cross-entropy over the images.</param>
/// <param name="Matrix">Confusion matrix; accuracy and per-class figures derive from it.</param>
/// <param name="Predictions">Per-image predictions, in dataset order.</param>
/// <param name="Seconds">Wall time of the pass.</param>
public sealed record EvaluationResult(long Images, double Loss, ConfusionMatrix Matrix, IReadOnlyList<ImagePrediction> Predictions, double Seconds)
{
    /// <summary>Top-1 accuracy.</summary>
    public double Accuracy => Matrix.Accuracy();

    /// <summary>
    /// Sum of the images' cross-entropies, in double precision (<see cref="Loss"/> is this over <see cref="Images"/>);
    /// shards' sums add up to the whole evaluation's.
    /// </summary>
    public double LossSum { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/>; 0 when top-k accuracy was not measured.</summary>
    public int TopK { get; init; }

    /// <summary>Images whose true class was among the <see cref="TopK"/> most probable.</summary>
    public long TopKCorrect { get; init; }

    /// <summary>The test-time augmentation the logits came from.</summary>
    public Model.TestTimeAugmentation Augmentation { get; init; }

    /// <summary>The engine that ran the network (libtorch or ONNX Runtime); null where it is not known (shards written before it was recorded).</summary>
    public Inference.InferenceEngine? Engine { get; init; }

    /// <summary>The arithmetic the network ran in (<c>--precision</c>): fp32 unless libtorch ran it in bf16.</summary>
    public Torch.Precision Precision { get; init; } = Torch.Precision.Fp32;

    /// <summary>Top-k accuracy, or null when <see cref="TopK"/> is 0.</summary>
    public double? TopKAccuracy => TopK == 0 ? null : Images == 0 ? 0 : (double)TopKCorrect / Images;

    /// <summary>Per-class precision, recall, F1 and support.</summary>
    public IReadOnlyList<ClassMetrics> PerClass => Matrix.PerClass();
}
