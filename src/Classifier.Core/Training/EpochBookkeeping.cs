using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// What an epoch's result means for the run: is it the best so far (best.cls), does early stopping fire, does the
/// plateau schedule reduce the rate. A pure function of the state, so it is tested without training and a resumed
/// run continues the same counters.
/// </summary>
public static class EpochBookkeeping
{
    /// <summary>The state after <paramref name="row"/> is added, and whether it is the new best.</summary>
    public static (TrainingState State, bool IsBest) After(TrainingState state, HistoryRow row, TrainOptions options)
    {
        double value = options.Monitor == MonitorMetric.ValLoss ? row.ValLoss : row.ValAccuracy;
        bool higherIsBetter = options.Monitor == MonitorMetric.ValAccuracy;
        bool Better(double candidate, double? reference, double delta) =>
            double.IsFinite(candidate) && (reference is not { } r || (higherIsBetter ? candidate > r + delta : candidate < r - delta));

        bool isBest = Better(value, state.BestValue, 0);
        bool improved = Better(value, state.ReferenceValue, options.MinDelta);
        int withoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1;

        int plateauWait = improved ? 0 : state.PlateauWait + 1;
        double plateauScale = state.PlateauScale;
        if (options.EffectiveLrSchedule == LearningRateSchedule.Plateau && plateauWait >= options.PlateauPatience)
        {
            plateauScale *= options.PlateauFactor;
            plateauWait = 0;
        }

        var next = state with
        {
            CompletedEpochs = row.Epoch,
            History = [.. state.History, row],
            BestEpoch = isBest ? row.Epoch : state.BestEpoch,
            BestValue = isBest ? value : state.BestValue,
            ReferenceValue = improved ? value : state.ReferenceValue,
            EpochsWithoutImprovement = withoutImprovement,
            PlateauWait = plateauWait,
            PlateauScale = plateauScale,
            StoppedEarly = options.Patience is { } patience && withoutImprovement >= patience,
            Partial = null,
        };
        return (next, isBest);
    }
}
