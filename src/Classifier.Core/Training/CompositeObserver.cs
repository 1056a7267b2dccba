using Classifier.Core.Data;
using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>Passes every training event to several observers, in order (e.g. the console view and TensorBoard).</summary>
public sealed class CompositeObserver(params ITrainingObserver[] observers) : ITrainingObserver
{
    /// <inheritdoc />
    public void OnWeightsDownload(Model.Zoo.DownloadProgress progress)
    {
        foreach (var observer in observers) observer.OnWeightsDownload(progress);
    }

    /// <inheritdoc />
    public void OnTrainingStarted(TrainingStarted start)
    {
        foreach (var observer in observers) observer.OnTrainingStarted(start);
    }

    /// <inheritdoc />
    public void OnDataWarning(DataWarning warning)
    {
        foreach (var observer in observers) observer.OnDataWarning(warning);
    }

    /// <inheritdoc />
    public void OnBatchCompleted(BatchProgress progress)
    {
        foreach (var observer in observers) observer.OnBatchCompleted(progress);
    }

    /// <inheritdoc />
    public void OnEpochCompleted(HistoryRow row, bool isBest)
    {
        foreach (var observer in observers) observer.OnEpochCompleted(row, isBest);
    }

    /// <inheritdoc />
    public void OnTrainingEnded(TrainResult result)
    {
        foreach (var observer in observers) observer.OnTrainingEnded(result);
    }
}
