namespace Classifier.Core.Runs;

/// <summary>One epoch of training, as written to <c>history.csv</c>.</summary>
/// <param name="Epoch">Epoch number, 1-based.</param>
/// <param name="Accuracy">Training accuracy over the epoch (running, with dropout on, as Keras reports it).</param>
/// <param name="Loss">Mean training cross-entropy over the epoch's images.</param>
/// <param name="ValAccuracy">Validation accuracy at the end of the epoch.</param>
/// <param name="ValLoss">Mean validation cross-entropy at the end of the epoch.</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Seconds">Wall time of the epoch including validation, in seconds.</param>
public sealed record HistoryRow(
    int Epoch, double Accuracy, double Loss, double ValAccuracy, double ValLoss, double LearningRate, double Seconds);
