using Classifier.Core.Plotting;

namespace Classifier.Core.Training;

/// <summary>What a learning-rate range test measured (see <see cref="LearningRateFinder"/>).</summary>
/// <param name="Rates">The rate of each step taken.</param>
/// <param name="Losses">The training loss of each step's batch.</param>
/// <param name="SmoothedLosses">The bias-corrected exponential moving average of <paramref name="Losses"/>.</param>
/// <param name="SuggestedRate">The rate to train with: a tenth of the rate at the smoothed loss's minimum (see <see cref="LearningRateFinder.Suggest"/>).</param>
/// <param name="Diverged">True when the sweep stopped early because the loss diverged.</param>
/// <param name="Seconds">Wall-clock time of the sweep.</param>
public sealed record LrFindResult(IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, IReadOnlyList<double> SmoothedLosses,
    double SuggestedRate, bool Diverged, double Seconds) : ILrFindCurve;
