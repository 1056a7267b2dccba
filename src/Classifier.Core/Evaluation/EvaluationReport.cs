using Classifier.Core.Data;
using Classifier.Core.Model;

namespace Classifier.Core.Evaluation;

/// <summary>The result of <c>classify eval</c>: which model on which data, and what it measured.</summary>
/// <param name="ModelPath">The model file used.</param>
/// <param name="Info">The model's info.</param>
/// <param name="Data">The evaluated images, labelled with the model's class indices.</param>
/// <param name="Result">Loss, accuracy, confusion matrix and per-image predictions.</param>
/// <param name="Skipped">Files that could not be read, with reasons.</param>
public sealed record EvaluationReport(string ModelPath, ModelInfo Info, Dataset Data, EvaluationResult Result,
    IReadOnlyList<KeyValuePair<string, string>> Skipped)
{
    /// <summary>The shard of the data folder that was evaluated (<c>--shard</c>), or null for the whole folder.</summary>
    public Sharding.ShardSelection? Shard { get; init; }
}
