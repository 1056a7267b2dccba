using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Output;

/// <summary>Passes every training event to several observers, in order.</summary>
internal sealed class ObserverGroup(params ITrainingObserver[] observers) : ITrainingObserver
{
    public void OnTrainingStarted(TrainingStarted start)
    {
        foreach (var o in observers) o.OnTrainingStarted(start);
    }

    public void OnBatchCompleted(BatchProgress progress)
    {
        foreach (var o in observers) o.OnBatchCompleted(progress);
    }

    public void OnEpochCompleted(HistoryRow row, bool isBest)
    {
        foreach (var o in observers) o.OnEpochCompleted(row, isBest);
    }

    public void OnImageSkipped(string path, string reason)
    {
        foreach (var o in observers) o.OnImageSkipped(path, reason);
    }
}
