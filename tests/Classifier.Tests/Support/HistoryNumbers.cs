using Classifier.Core.Runs;

namespace Classifier.Tests.Support;

/// <summary>What two runs must share to be the same run: each epoch's losses, accuracies and rate, not its wall time.</summary>
public static class HistoryNumbers
{
    /// <summary>The loss, accuracy, validation loss, validation accuracy and learning rate of each row.</summary>
    public static IEnumerable<(double, double, double, double, double)> Of(IEnumerable<HistoryRow> rows) =>
        rows.Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy, r.LearningRate));
}
