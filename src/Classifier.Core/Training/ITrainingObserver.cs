using Classifier.Core.Data;
using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// Receives training events. The trainer never writes to the console; the CLI's progress view is one observer,
/// tests use a recording one. Every member does nothing by default, so an observer implements only what it uses.
/// Calls come on the training thread and should return quickly; <see cref="OnDataWarning"/> for a skipped file comes
/// on the decoding thread that found it.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>While pretrained weights are downloaded into PyTorch's cache, before training starts.</summary>
    void OnWeightsDownload(Model.Zoo.DownloadProgress progress)
    {
    }

    /// <summary>Once, before the first batch.</summary>
    void OnTrainingStarted(TrainingStarted start)
    {
    }

    /// <summary>
    /// A warning about the data: the class warnings once, right after <see cref="OnTrainingStarted"/>; a skipped image
    /// file once per file, when it is met.
    /// </summary>
    void OnDataWarning(DataWarning warning)
    {
    }

    /// <summary>After every training batch.</summary>
    void OnBatchCompleted(BatchProgress progress)
    {
    }

    /// <summary>After every epoch, once its row is in history.csv and its checkpoints are written.</summary>
    void OnEpochCompleted(HistoryRow row, bool isBest)
    {
    }

    /// <summary>
    /// Once, when the last epoch is done (or early stopping ended the run) and curves.png and skipped.csv are written;
    /// not called when training fails or is cancelled.
    /// </summary>
    void OnTrainingEnded(TrainResult result)
    {
    }
}
