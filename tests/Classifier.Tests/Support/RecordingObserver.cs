using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Tests.Support;

/// <summary>Keeps every training event for assertions.</summary>
public sealed class RecordingObserver : ITrainingObserver
{
    public TrainingStarted? Started { get; private set; }
    public List<BatchProgress> Batches { get; } = [];
    public List<(HistoryRow Row, bool IsBest)> Epochs { get; } = [];
    public List<(string Path, string Reason)> Skipped { get; } = [];

    public void OnTrainingStarted(TrainingStarted start) => Started = start;
    public void OnBatchCompleted(BatchProgress progress) => Batches.Add(progress);
    public void OnEpochCompleted(HistoryRow row, bool isBest) => Epochs.Add((row, isBest));
    public void OnImageSkipped(string path, string reason) => Skipped.Add((path, reason));
}
