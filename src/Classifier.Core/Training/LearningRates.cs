namespace Classifier.Core.Training;

/// <summary>
/// The learning rate of each epoch. Warm-up rises linearly over the first W = <see cref="TrainOptions.WarmupEpochs"/>
/// epochs (epoch e uses e/(W+1) of the base rate, so the full rate comes right after); then the schedule applies.
/// The plateau schedule's reductions are kept in <see cref="TrainingState.PlateauScale"/> so a resumed run
/// continues them. After <see cref="TrainOptions.FreezeEpochs"/> every rate is multiplied by <see cref="UnfrozenFactor"/>.
/// </summary>
public static class LearningRates
{
    /// <summary>The rate for <paramref name="epoch"/> (1-based).</summary>
    public static double For(TrainOptions options, int epoch, double plateauScale) =>
        Scheduled(options, epoch, plateauScale) * (options.FreezeEpochs > 0 && epoch > options.FreezeEpochs ? UnfrozenFactor : 1);

    /// <summary>
    /// The factor of every rate once <see cref="TrainOptions.FreezeEpochs"/> are over: fastai's <c>fine_tune</c> halves
    /// its base rate when it unfreezes, since the pretrained backbone now moves too.
    /// </summary>
    public const double UnfrozenFactor = 0.5;

    private static double Scheduled(TrainOptions options, int epoch, double plateauScale)
    {
        double baseRate = options.LearningRate;
        int warmup = options.WarmupEpochs;
        if (epoch <= warmup) return baseRate * epoch / (warmup + 1);
        return options.EffectiveLrSchedule switch
        {
            LearningRateSchedule.Cosine => Cosine(options, epoch),
            LearningRateSchedule.Plateau => Math.Max(options.MinLearningRate, baseRate * plateauScale),
            _ => baseRate,
        };
    }

    private static double Cosine(TrainOptions options, int epoch)
    {
        // Progress runs from 0 at the first epoch after warm-up towards 1 after the last, so the last epoch still
        // trains with a small positive rate.
        int span = Math.Max(1, options.Epochs - options.WarmupEpochs);
        double progress = (double)(epoch - options.WarmupEpochs - 1) / span;
        double min = options.MinLearningRate;
        return min + (options.LearningRate - min) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
