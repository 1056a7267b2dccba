using Classifier.Core.Runs;
using TorchSharp;
using TorchSharp.Modules;

namespace Classifier.Core.Training;

/// <summary>
/// Writes TensorBoard event files through TorchSharp's SummaryWriter, laid out as Keras' TensorBoard callback does
/// so that training and validation curves share one chart: <c>LOG_DIR/RUN/train</c> gets <c>epoch_loss</c>,
/// <c>epoch_accuracy</c> and <c>epoch_learning_rate</c>, <c>LOG_DIR/RUN/validation</c> gets <c>epoch_loss</c> and
/// <c>epoch_accuracy</c>, one point per epoch (step = epoch number). RUN is the run folder's name, so several runs
/// under one log folder appear side by side in <c>tensorboard --logdir LOG_DIR</c>.
/// Event files are append-only logs that TensorBoard reads while they grow; they are not written atomically.
/// </summary>
public sealed class TensorBoardObserver(string logDir) : ITrainingObserver
{
    /// <summary>Sub-folder for training scalars.</summary>
    public const string TrainFolder = "train";

    /// <summary>Sub-folder for validation scalars.</summary>
    public const string ValidationFolder = "validation";

    private SummaryWriter? _train;
    private SummaryWriter? _validation;

    /// <summary>The folder of this run's event files, known once training has started.</summary>
    public string? RunLogDir { get; private set; }

    /// <inheritdoc />
    public void OnTrainingStarted(TrainingStarted start)
    {
        RunLogDir = Path.Combine(logDir, Path.GetFileName(Path.TrimEndingDirectorySeparator(start.Run.Path)));
        try
        {
            _train = torch.utils.tensorboard.SummaryWriter(Path.Combine(RunLogDir, TrainFolder));
            _validation = torch.utils.tensorboard.SummaryWriter(Path.Combine(RunLogDir, ValidationFolder));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"--tensorboard '{logDir}': cannot create the event files there ({e.Message}).", e);
        }
    }

    /// <inheritdoc />
    public void OnEpochCompleted(HistoryRow row, bool isBest)
    {
        if (_train is null || _validation is null) return;
        _train.add_scalar("epoch_loss", (float)row.Loss, row.Epoch);
        _train.add_scalar("epoch_accuracy", (float)row.Accuracy, row.Epoch);
        _train.add_scalar("epoch_learning_rate", (float)row.LearningRate, row.Epoch);
        _validation.add_scalar("epoch_loss", (float)row.ValLoss, row.Epoch);
        _validation.add_scalar("epoch_accuracy", (float)row.ValAccuracy, row.Epoch);
    }
}
