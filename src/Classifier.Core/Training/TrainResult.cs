using Classifier.Core.Data;
using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// The outcome of a training run, with what the steps after it need (the evaluation of the validation images, the
/// report, the CI summary), so none of them reads back files the run just wrote.
/// </summary>
/// <param name="Run">The run folder with the model, history and curves.</param>
/// <param name="History">One row per completed epoch.</param>
/// <param name="BestEpoch">Epoch whose weights are in best.cls.</param>
/// <param name="SkippedImages">Files that could not be read.</param>
/// <param name="StoppedEarly">True when early stopping ended the run before its last epoch.</param>
/// <param name="Options">The effective options (device, strictness, threads and limits included).</param>
/// <param name="Train">The training images.</param>
/// <param name="Validation">The validation images.</param>
public sealed record TrainResult(RunFolder Run, IReadOnlyList<HistoryRow> History, int BestEpoch, int SkippedImages, bool StoppedEarly,
    TrainOptions Options, Dataset Train, Dataset Validation)
{
    /// <summary>True when the validation images were split off the training folder.</summary>
    public bool ValidationIsSplit => Train.Root == Validation.Root;
}
