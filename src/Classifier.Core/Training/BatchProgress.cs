namespace Classifier.Core.Training;

/// <summary>Where training is after a batch; running figures are over the epoch so far.</summary>
/// <param name="Epoch">Current epoch, 1-based.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Training accuracy so far in this epoch.</param>
/// <param name="ImagesPerSecond">Training throughput so far in this epoch.</param>
/// <param name="EtaSeconds">Estimated seconds left in this epoch's training pass.</param>
public sealed record BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy,
    double ImagesPerSecond, double EtaSeconds);
