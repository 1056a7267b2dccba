using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Runs;

namespace Classifier.Core.Evaluation;

/// <summary>The result of <c>classify eval</c>: which model on which data, and what it measured.</summary>
/// <param name="ModelPath">The model file used.</param>
/// <param name="Info">The model's info.</param>
/// <param name="Data">The evaluated images, labelled with the model's class indices.</param>
/// <param name="Result">Loss, accuracy, confusion matrix and per-image predictions.</param>
/// <param name="Skipped">Files that could not be read, with reasons.</param>
/// <param name="Split">
/// <c>validation</c> or <c>train</c> when the images are that split of the model's own run (as recorded in its
/// <c>files.csv</c>); null for a data folder.
/// </param>
/// <param name="Overlap">
/// How many of the images have the content of one the run trained or validated on; null when the model's folder
/// does not record its run's images.
/// </param>
public sealed record EvaluationReport(string ModelPath, ModelInfo Info, Dataset Data, EvaluationResult Result,
    IReadOnlyList<KeyValuePair<string, string>> Skipped, string? Split = null, TrainingOverlap? Overlap = null)
{
    /// <summary>The shard of the data folder that was evaluated (<c>--shard</c>), or null for the whole folder.</summary>
    public Sharding.ShardSelection? Shard { get; init; }

    /// <summary>Why the network ran on libtorch although ONNX Runtime was the default (see <see cref="Inference.InferenceNetwork.FallbackReason"/>); null otherwise.</summary>
    public string? EngineNote { get; init; }
}
