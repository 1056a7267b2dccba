using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// Receives training events. The trainer never writes to the console; the CLI's progress view is one observer,
/// tests use a recording one. Calls come on the training thread and should return quickly.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>Once, before the first batch.</summary>
    void OnTrainingStarted(TrainingStarted start);

    /// <summary>After every training batch.</summary>
    void OnBatchCompleted(BatchProgress progress);

    /// <summary>After every epoch, once its row is in history.csv and its checkpoints are written.</summary>
    void OnEpochCompleted(HistoryRow row, bool isBest);

    /// <summary>When an image file is skipped (once per file).</summary>
    void OnImageSkipped(string path, string reason);

    /// <summary>While pretrained weights are downloaded into PyTorch's cache, before training starts.</summary>
    void OnWeightsDownload(Model.Zoo.DownloadProgress progress)
    {
    }
}
