using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// Where a run stands, saved in <c>last.cls</c> beside the weights and optimizer state so that
/// <c>classify train --resume</c> continues exactly: completed epochs, the best monitored value, early-stopping and
/// plateau counters, and, when a run was interrupted inside an epoch, the position in that epoch.
/// </summary>
public sealed record TrainingState
{
    /// <summary>Epochs fully completed.</summary>
    public int CompletedEpochs { get; init; }

    /// <summary>History rows of the completed epochs.</summary>
    public IReadOnlyList<HistoryRow> History { get; init; } = [];

    /// <summary>Epoch whose weights are in best.cls (0 before the first epoch).</summary>
    public int BestEpoch { get; init; }

    /// <summary>Best value of the monitored metric so far (for best.cls; strict improvement).</summary>
    public double? BestValue { get; init; }

    /// <summary>Reference value for early stopping and plateau (improvements of at least MinDelta move it).</summary>
    public double? ReferenceValue { get; init; }

    /// <summary>Epochs since the reference value last improved by at least MinDelta.</summary>
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>Plateau schedule: epochs since the last improvement or reduction.</summary>
    public int PlateauWait { get; init; }

    /// <summary>Plateau schedule: product of the reductions so far.</summary>
    public double PlateauScale { get; init; } = 1;

    /// <summary>True when early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Set when the run was interrupted inside an epoch; null at epoch boundaries.</summary>
    public PartialEpoch? Partial { get; init; }
}

/// <summary>An epoch interrupted after <see cref="Batches"/> batches, with its running sums and RNG state.</summary>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="Batches">Batches completed in it.</param>
/// <param name="LossSum">Sum of per-image training loss so far.</param>
/// <param name="Correct">Correct training predictions so far.</param>
/// <param name="Seen">Training images so far.</param>
/// <param name="Seconds">Training time spent in the epoch so far.</param>
/// <param name="RngState">libtorch's generator state after the last completed batch.</param>
public sealed record PartialEpoch(int Epoch, int Batches, double LossSum, long Correct, long Seen, double Seconds, byte[] RngState);
