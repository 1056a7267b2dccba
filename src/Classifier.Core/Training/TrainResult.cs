using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="Run">The run folder with the model, history and curves.</param>
/// <param name="History">One row per completed epoch.</param>
/// <param name="BestEpoch">Epoch whose weights are in best.cls.</param>
/// <param name="SkippedImages">Files that could not be read.</param>
/// <param name="StoppedEarly">True when early stopping ended the run before its last epoch.</param>
public sealed record TrainResult(RunFolder Run, IReadOnlyList<HistoryRow> History, int BestEpoch, int SkippedImages, bool StoppedEarly);
