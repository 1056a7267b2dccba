using Classifier.Core.Data;
using Classifier.Core.Model;
using static TorchSharp.torch;

namespace Classifier.Core.Evaluation;

/// <summary>How <see cref="Evaluator"/> runs a network over a set of images.</summary>
/// <param name="ClassNames">The network's classes; the position is the class index of the logits and labels.</param>
/// <param name="Preprocessing">How images become the network's input.</param>
/// <param name="BatchSize">Images per batch.</param>
public sealed record EvaluationSettings(IReadOnlyList<string> ClassNames, Preprocessing Preprocessing, int BatchSize)
{
    /// <summary>
    /// With 2 or more, the result also counts images whose true class is among the <see cref="TopK"/> most probable;
    /// 0 or 1 counts none.
    /// </summary>
    public int TopK { get; init; }

    /// <summary>Where the network is (CPU when null); batches are moved there.</summary>
    public Device? Device { get; init; }

    /// <summary>Each image's logits are those of this augmentation's views.</summary>
    public TestTimeAugmentation Augmentation { get; init; } = TestTimeAugmentation.None;

    /// <summary>Told the images done so far after each batch.</summary>
    public Action<long>? OnBatch { get; init; }
}
