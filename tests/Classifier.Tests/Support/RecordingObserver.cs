using Classifier.Core.Data;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Tests.Support;

/// <summary>Keeps every training event for assertions.</summary>
public sealed class RecordingObserver : ITrainingObserver
{
    private readonly Lock _warnings = new();

    public TrainingStarted? Started { get; private set; }
    public List<BatchProgress> Batches { get; } = [];
    public List<(HistoryRow Row, bool IsBest)> Epochs { get; } = [];
    public List<DataWarning> Warnings { get; } = [];
    public TrainResult? Ended { get; private set; }

    /// <summary>The skipped files, from the <see cref="DataWarningKind.SkippedImage"/> warnings.</summary>
    public List<(string Path, string Message)> Skipped
    {
        get
        {
            lock (_warnings) return Warnings.Where(w => w.Kind == DataWarningKind.SkippedImage).Select(w => (w.Path!, w.Message)).ToList();
        }
    }

    public void OnTrainingStarted(TrainingStarted start) => Started = start;
    public void OnBatchCompleted(BatchProgress progress) => Batches.Add(progress);
    public void OnEpochCompleted(HistoryRow row, bool isBest) => Epochs.Add((row, isBest));
    public void OnTrainingEnded(TrainResult result) => Ended = result;

    public void OnDataWarning(DataWarning warning)
    {
        // Skipped files are announced on the decoding threads.
        lock (_warnings) Warnings.Add(warning);
    }
}
