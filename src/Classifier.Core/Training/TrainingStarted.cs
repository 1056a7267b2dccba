using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>What a run is about to do, reported once before the first batch.</summary>
/// <param name="Run">The run folder.</param>
/// <param name="Train">Training images.</param>
/// <param name="Validation">Validation images.</param>
/// <param name="ValidationSource">How the validation images were chosen, in words.</param>
/// <param name="Summary">The network's layer table.</param>
/// <param name="Options">Effective options.</param>
/// <param name="Threads">libtorch intra-op threads in use.</param>
/// <param name="CacheBudgetBytes">Bytes of decoded images that may be cached.</param>
/// <param name="CompletedEpochs">Epochs already done (non-zero when resuming).</param>
/// <param name="ClassWeights">Loss weight of each class, or null when all weigh 1.</param>
public sealed record TrainingStarted(RunFolder Run, Dataset Train, Dataset Validation, string ValidationSource,
    ModelSummary Summary, TrainOptions Options, int Threads, long CacheBudgetBytes, int CompletedEpochs,
    IReadOnlyList<double>? ClassWeights)
{
    /// <summary>
    /// What happened to the starting weights (<c>--weights</c>) or optimizer state (extending a run that kept none), in
    /// one line; null when training from scratch or resuming exactly.
    /// </summary>
    public string? WeightsNote { get; init; }
}
