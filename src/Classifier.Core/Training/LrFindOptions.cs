namespace Classifier.Core.Training;

/// <summary>The sweep of <c>classify lr-find</c> (see <see cref="LearningRateFinder"/>); the defaults are fastai's <c>lr_find</c>.</summary>
public sealed record LrFindOptions
{
    /// <summary>Rate of the first batch.</summary>
    public double StartRate { get; init; } = 1e-7;

    /// <summary>Rate of the last batch; the rates between grow exponentially.</summary>
    public double EndRate { get; init; } = 10;

    /// <summary>Batches (optimizer steps) in the sweep; the training images are cycled when there are fewer.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>The sweep stops once the smoothed loss exceeds this many times its lowest value (it has diverged).</summary>
    public double DivergenceFactor { get; init; } = 4;

    /// <summary>Weight of the past in the exponential moving average of the loss (bias-corrected, as fastai's).</summary>
    public double Smoothing { get; init; } = 0.98;

    /// <summary>Checks the values; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (!(StartRate > 0) || !double.IsFinite(StartRate)) throw new ClassifierException($"--start-lr {StartRate}: give a positive rate such as 1e-7.");
        if (!(EndRate > StartRate) || !double.IsFinite(EndRate))
            throw new ClassifierException($"--end-lr {EndRate}: give a finite rate above --start-lr ({StartRate}), such as 10.");
        if (Steps < 5) throw new ClassifierException($"--steps {Steps}: give at least 5 (100 is usual).");
        if (!(DivergenceFactor > 1)) throw new ClassifierException($"divergence factor {DivergenceFactor}: give a factor above 1.");
        if (Smoothing is < 0 or >= 1) throw new ClassifierException($"smoothing {Smoothing}: give a value from 0 to below 1.");
    }

    /// <summary>The rate of step <paramref name="step"/> (0-based) of the sweep.</summary>
    public double RateAt(int step) => StartRate * Math.Pow(EndRate / StartRate, (double)step / (Steps - 1));
}
